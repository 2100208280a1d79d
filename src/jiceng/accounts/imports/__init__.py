"""Registry imports (区划、网格、责任单位、用户) from the templates the platform offers; see docs/imports.md.

Who may import is decided here (``Capability.IMPORT_REGISTRY``: administrators), whoever calls —
the command ``jiceng import-registry``, the page /registry/import/ or ``POST /api/v1/imports/{kind}``.
Geography (boundaries, centroids, landmarks) is not tabular: it stays with ``jiceng load-geo`` (GeoJSON).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from jiceng.errors import NotFound

from ..capabilities import Capability, require
from .areas import AreaImport
from .base import ImportSummary, RegistryKind, kind_template, read_rows, run, template_workbook
from .grids import GridImport
from .units import UnitImport
from .users import UserImport

KINDS: dict[str, type[RegistryKind]] = {k.key: k for k in (AreaImport, UnitImport, GridImport, UserImport)}

__all__ = ["KINDS", "ImportSummary", "do_import_registry", "kind_of", "registry_template", "template_workbook"]


def kind_of(key: str, user: Any) -> RegistryKind:
    """The import of kind ``key`` on behalf of ``user``; NotFound naming the kinds for another word."""
    cls = KINDS.get(key)
    if cls is None:
        raise NotFound(_("没有“%(v)s”这种导入，可选：%(kinds)s") % {"v": key, "kinds": "、".join(KINDS)})
    return cls(user)


def do_import_registry(user: Any, key: str, data: bytes, filename: str, *, dry_run: bool = False,
                       valid_only: bool = False) -> ImportSummary:
    """Read and import one registry file; ImportRejected (nothing written) unless every row is valid or ``valid_only``."""
    require(user, Capability.IMPORT_REGISTRY)
    kind = kind_of(key, user)
    return run(kind, read_rows(kind, data, filename), dry_run=dry_run, valid_only=valid_only)


def registry_template(user: Any, key: str) -> bytes:
    require(user, Capability.IMPORT_REGISTRY)
    return kind_template(kind_of(key, user))
