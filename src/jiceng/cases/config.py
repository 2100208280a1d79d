"""Loading the case configuration (unit kinds and the category tree) from TOML.

The whole file is validated before anything is written; then it is applied in
one transaction, so a bad file changes nothing. Errors name the key, e.g.
``categories[4].routing.county: unknown unit kind “foo”``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.areas.models import UnitKind, UnitLevel

from .errors import ConfigError
from .fields import check_spec
from .models import Category

DEFAULT_CONFIG = Path(__file__).parent / "defaults" / "case_types.toml"
LEVELS = set(UnitLevel.values)
SLA_KEYS = {"accept_hours", "resolve_days", "visit_days"}
CATEGORY_KEYS = {"code", "name", "parent", "description", "start_level", "allow_anonymous", "sla", "routing", "fields", "active"}


@dataclass
class LoadSummary:
    unit_kinds: int
    categories: int
    created: int
    updated: int


def parse_config(text: str) -> dict:
    """Parse and validate configuration text; raise ConfigError naming the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("The configuration is not valid TOML: %(error)s") % {"error": exc}) from exc
    kinds = data.get("unit_kinds")
    if not isinstance(kinds, dict) or not kinds:
        raise ConfigError(_("unit_kinds: at least one unit kind is required"))
    for code, kind in kinds.items():
        where = f"unit_kinds.{code}"
        if not isinstance(kind, dict) or not kind.get("name"):
            raise ConfigError(_("%(where)s.name is required") % {"where": where})
        if kind.get("level") not in LEVELS:
            raise ConfigError(_("%(where)s.level must be village, township or county") % {"where": where})
    cats = data.get("categories")
    if not isinstance(cats, list) or not cats:
        raise ConfigError(_("categories: at least one category is required"))
    seen: dict[str, dict] = {}
    for i, cat in enumerate(cats):
        _check_category(cat, f"categories[{i}]", kinds, seen)
        seen[cat["code"]] = cat
    return data


def _check_category(cat: dict, where: str, kinds: dict, seen: dict) -> None:
    unknown = set(cat) - CATEGORY_KEYS
    if unknown:
        raise ConfigError(_("%(where)s.%(key)s: unknown key") % {"where": where, "key": sorted(unknown)[0]})
    code = cat.get("code")
    if not isinstance(code, str) or not code or not all(c.isalnum() or c in "-_" for c in code):
        raise ConfigError(_("%(where)s.code must be letters, digits and hyphens") % {"where": where})
    if code in seen:
        raise ConfigError(_("%(where)s.code: “%(code)s” appears twice") % {"where": where, "code": code})
    if not cat.get("name"):
        raise ConfigError(_("%(where)s.name is required") % {"where": where})
    parent = cat.get("parent")
    if parent is not None and parent not in seen:
        raise ConfigError(_("%(where)s.parent: “%(parent)s” must be defined above its children") % {"where": where, "parent": parent})
    if parent is None:
        for key in ("start_level", "sla"):
            if key not in cat:
                raise ConfigError(_("%(where)s.%(key)s is required for a top-level category") % {"where": where, "key": key})
    if "start_level" in cat and cat["start_level"] not in LEVELS:
        raise ConfigError(_("%(where)s.start_level must be village, township or county") % {"where": where})
    sla = cat.get("sla", {})
    for key, value in sla.items():
        if key not in SLA_KEYS:
            raise ConfigError(_("%(where)s.sla.%(key)s: unknown key") % {"where": where, "key": key})
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigError(_("%(where)s.sla.%(key)s must be a positive whole number") % {"where": where, "key": key})
    if parent is None and set(sla) != SLA_KEYS:
        missing = sorted(SLA_KEYS - set(sla))[0]
        raise ConfigError(_("%(where)s.sla.%(key)s is required") % {"where": where, "key": missing})
    for level, kind in cat.get("routing", {}).items():
        if level not in LEVELS:
            raise ConfigError(_("%(where)s.routing.%(key)s: unknown tier") % {"where": where, "key": level})
        if kind not in kinds:
            raise ConfigError(_("%(where)s.routing.%(key)s: unknown unit kind “%(kind)s”") % {"where": where, "key": level, "kind": kind})
        if kinds[kind]["level"] != level:
            raise ConfigError(_("%(where)s.routing.%(key)s: “%(kind)s” is not a unit of that tier") % {"where": where, "key": level, "kind": kind})
    fields = cat.get("fields", [])
    if not isinstance(fields, list):
        raise ConfigError(_("%(where)s.fields must be a list") % {"where": where})
    names = set()
    for j, spec in enumerate(fields):
        check_spec(spec, f"{where}.fields[{j}]")
        if spec["name"] in names:
            raise ConfigError(_("%(where)s.fields[%(j)s].name: “%(name)s” appears twice") % {"where": where, "j": j, "name": spec["name"]})
        names.add(spec["name"])


@transaction.atomic
def apply_config(data: dict) -> LoadSummary:
    """Write a validated configuration: upsert unit kinds and categories by code."""
    for code, kind in data["unit_kinds"].items():
        UnitKind.objects.update_or_create(code=code, defaults={"name": kind["name"], "level": kind["level"]})
    created = updated = 0
    by_code: dict[str, Category] = {}
    for order, cat in enumerate(data["categories"]):
        parent = by_code.get(cat["parent"]) if cat.get("parent") else None
        inherited = parent or None
        sla = cat.get("sla", {})
        defaults = {
            "name": cat["name"],
            "parent": parent,
            "description": cat.get("description", ""),
            "start_level": cat.get("start_level", inherited.start_level if inherited else UnitLevel.VILLAGE),
            "allow_anonymous": cat.get("allow_anonymous", inherited.allow_anonymous if inherited else False),
            "accept_hours": sla.get("accept_hours", inherited.accept_hours if inherited else 24),
            "resolve_days": sla.get("resolve_days", inherited.resolve_days if inherited else 5),
            "visit_days": sla.get("visit_days", inherited.visit_days if inherited else 3),
            "fields": cat.get("fields", []),
            "routing": cat.get("routing", {}),
            "sort_order": order,
            "active": cat.get("active", True),
        }
        obj, was_created = Category.objects.update_or_create(code=cat["code"], defaults=defaults)
        by_code[obj.code] = obj
        created += was_created
        updated += not was_created
    return LoadSummary(unit_kinds=len(data["unit_kinds"]), categories=len(by_code), created=created, updated=updated)


def load_config(path: Path | str | None = None) -> LoadSummary:
    """Validate and apply a configuration file (the shipped default if None)."""
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from exc
    return apply_config(parse_config(text))
