"""Triage configuration: shipped defaults, overridden by an operator's TOML file.

Looked up in this order (later wins, key by key): ``defaults/triage.toml`` in
the package, ``<JICENG_DATA_DIR>/triage.toml``, the file named by
``JICENG_TRIAGE_CONFIG`` (environment) or ``settings.JICENG_TRIAGE_CONFIG``.
"""

from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULT_FILE = Path(__file__).parent / "defaults" / "triage.toml"


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _files() -> list[Path]:
    files = [DEFAULT_FILE, Path(settings.DATA_DIR) / "triage.toml"]
    named = os.environ.get("JICENG_TRIAGE_CONFIG") or getattr(settings, "JICENG_TRIAGE_CONFIG", "")
    if named:
        files.append(Path(named))
    return files


@functools.lru_cache(maxsize=1)
def _cached(key: tuple[tuple[str, float], ...]) -> dict:
    data: dict = {}
    for name, _mtime in key:
        data = _merge(data, tomllib.loads(Path(name).read_text(encoding="utf-8")))
    return data


def get_config() -> dict[str, Any]:
    """The merged configuration; re-read when a file changes (keyed on mtimes)."""
    key = tuple((str(p), p.stat().st_mtime) for p in _files() if p.is_file())
    data = _cached(key)
    # settings.JICENG_TRIAGE (a dict) wins over files: handy for tests and deployments.
    return _merge(data, getattr(settings, "JICENG_TRIAGE", {}) or {})


def section(name: str) -> dict[str, Any]:
    """One section of the configuration, e.g. ``section("repeats")``."""
    return dict(get_config().get(name, {}))
