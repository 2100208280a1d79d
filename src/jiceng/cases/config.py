"""Loading the case configuration (unit kinds and the category tree) from TOML.

The whole file is validated before anything is written; then it is applied in
one transaction, so a bad file changes nothing. Errors name the key, e.g.
``categories[4].routing.county: unknown unit kind “foo”``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.areas.models import UnitKind, UnitLevel

from .errors import ConfigError
from .fields import check_spec
from .models import Category
from .sla import PHASES, working_day_seconds
from .states import Urgency

DEFAULT_CONFIG = Path(__file__).parent / "defaults" / "case_types.toml"
LEVELS = set(UnitLevel.values)
SLA_KEYS = {f"{phase}_{unit}" for phase in PHASES for unit in ("hours", "days")}
URGENCIES = set(Urgency.values) - {Urgency.NORMAL}  # normal is the plain ``sla`` table
CATEGORY_KEYS = {
    "code", "name", "parent", "description", "start_level", "allow_anonymous", "public", "sla", "sla_by_urgency", "sla_by_level",
    "auto_escalate", "escalate_after_hours", "routing", "fields", "active", "synonyms", "phrasings",
}
# Words and sentences that describe a category the way callers speak; the routing
# suggestion reads them (see docs/triage.md). Lists of non-empty strings.
VOCABULARY_KEYS = ("synonyms", "phrasings")


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
    sla = _check_limits(cat.get("sla", {}), f"{where}.sla")
    if parent is None:
        for phase in PHASES:
            if phase not in sla:
                raise ConfigError(_("%(where)s.sla.%(key)s is required") % {"where": where, "key": f"{phase}_days" if phase != "accept" else "accept_hours"})
    for table, allowed in (("sla_by_urgency", URGENCIES), ("sla_by_level", LEVELS)):
        value = cat.get(table, {})
        if not isinstance(value, dict):
            raise ConfigError(_("%(where)s.%(key)s must be a table") % {"where": where, "key": table})
        for name, limits in value.items():
            if name not in allowed:
                raise ConfigError(_("%(where)s.%(key)s: unknown key") % {"where": where, "key": f"{table}.{name}"})
            _check_limits(limits, f"{where}.{table}.{name}")
    for flag in ("auto_escalate", "allow_anonymous", "public", "active"):
        if not isinstance(cat.get(flag, False), bool):
            raise ConfigError(_("%(where)s.%(key)s must be true or false") % {"where": where, "key": flag})
    after = cat.get("escalate_after_hours", 1)
    if not isinstance(after, int) or isinstance(after, bool) or after <= 0:
        raise ConfigError(_("%(where)s.escalate_after_hours must be a positive whole number") % {"where": where})
    for level, kind in cat.get("routing", {}).items():
        if level not in LEVELS:
            raise ConfigError(_("%(where)s.routing.%(key)s: unknown tier") % {"where": where, "key": level})
        if kind not in kinds:
            raise ConfigError(_("%(where)s.routing.%(key)s: unknown unit kind “%(kind)s”") % {"where": where, "key": level, "kind": kind})
        if kinds[kind]["level"] != level:
            raise ConfigError(_("%(where)s.routing.%(key)s: “%(kind)s” is not a unit of that tier") % {"where": where, "key": level, "kind": kind})
    for key in VOCABULARY_KEYS:
        words = cat.get(key, [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise ConfigError(_("%(where)s.%(key)s must be a list of non-empty texts") % {"where": where, "key": key})
    fields = cat.get("fields", [])
    if not isinstance(fields, list):
        raise ConfigError(_("%(where)s.fields must be a list") % {"where": where})
    names = set()
    for j, spec in enumerate(fields):
        check_spec(spec, f"{where}.fields[{j}]")
        if spec["name"] in names:
            raise ConfigError(_("%(where)s.fields[%(j)s].name: “%(name)s” appears twice") % {"where": where, "j": j, "name": spec["name"]})
        names.add(spec["name"])


def _check_limits(table: object, where: str) -> dict[str, list]:
    """Validate one limits table; return it as ``{phase: [amount, "h" | "d"]}``."""
    if not isinstance(table, dict):
        raise ConfigError(_("%(where)s must be a table") % {"where": where})
    out: dict[str, list] = {}
    for key, value in table.items():
        if key not in SLA_KEYS:
            raise ConfigError(_("%(where)s.%(key)s: unknown key") % {"where": where, "key": key})
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigError(_("%(where)s.%(key)s must be a positive whole number") % {"where": where, "key": key})
        phase, unit = key.rsplit("_", 1)
        if phase in out:
            raise ConfigError(_("%(where)s.%(key)s: give the limit in hours or in days, not both") % {"where": where, "key": key})
        out[phase] = [value, unit[0]]
    return out


def _resolve_limits(cat: dict, inherited: dict | None) -> dict:
    """The category's limit table with its parent's merged in, key by key."""
    base = {**(inherited or {}).get("base", {}), **_check_limits(cat.get("sla", {}), "sla")}
    table: dict = {"base": base, "urgency": {}, "level": {}}
    for part, key in (("urgency", "sla_by_urgency"), ("level", "sla_by_level")):
        names = set((inherited or {}).get(part, {})) | set(cat.get(key, {}))
        for name in sorted(names):
            table[part][name] = {**(inherited or {}).get(part, {}).get(name, {}), **_check_limits(cat.get(key, {}).get(name, {}), key)}
    return table


def _in_hours(limit: list) -> int:
    return limit[0] if limit[1] == "h" else round(limit[0] * working_day_seconds() / 3600)


def _in_days(limit: list) -> int:
    return limit[0] if limit[1] == "d" else max(1, math.ceil(limit[0] * 3600 / working_day_seconds()))


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
        sla = _resolve_limits(cat, inherited.sla if inherited else None)
        base = sla["base"]
        defaults = {
            "name": cat["name"],
            "parent": parent,
            "description": cat.get("description", ""),
            "start_level": cat.get("start_level", inherited.start_level if inherited else UnitLevel.VILLAGE),
            "allow_anonymous": cat.get("allow_anonymous", inherited.allow_anonymous if inherited else False),
            "public": cat.get("public", inherited.public if inherited else False),
            # summary columns of the normal-urgency limits; computations use ``sla``
            "accept_hours": _in_hours(base["accept"]),
            "resolve_days": _in_days(base["resolve"]),
            "visit_days": _in_days(base["visit"]),
            "sla": sla,
            "auto_escalate": cat.get("auto_escalate", inherited.auto_escalate if inherited else False),
            "escalate_after_hours": cat.get("escalate_after_hours", inherited.escalate_after_hours if inherited else None),
            "fields": cat.get("fields", []),
            "routing": cat.get("routing", {}),
            "vocabulary": {key: [w.strip() for w in cat.get(key, [])] for key in VOCABULARY_KEYS},
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
    except UnicodeDecodeError as exc:
        raise ConfigError(_("%(path)s is not UTF-8 text (byte %(pos)s); save it as UTF-8 and try again")
                          % {"path": path, "pos": exc.start + 1}) from None
    return apply_config(parse_config(text))
