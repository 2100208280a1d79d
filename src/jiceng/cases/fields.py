"""Category-specific fields (a hazard's level, a dispute's parties …).

A field spec is a dict from the configuration::

    {name = "hazard_level", label = "隐患等级", type = "choice",
     choices = ["一般", "较大", "重大"], required = true, stage = "submit"}

``type`` is one of text, integer, number, date, choice, list, boolean;
``stage`` says when the value must be present: submit (default) or resolve.

Every value is bounded, so no field can hold what the databases cannot (or
what nobody could mean): integers and numbers lie in ``min``..``max``
(default 0..1,000,000,000; numbers must be finite), dates in the years
1900–2100, text at most ``max_length`` characters (default 500), lists at most
``max_items`` items (default 50) of at most ``max_item_length`` characters
(default 100). Text may not hold control characters, and text of invisible
characters only (right-to-left overrides, zero-width spaces) counts as empty.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from .errors import ConfigError, InvalidInput

FIELD_TYPES = {"text", "integer", "number", "date", "choice", "list", "boolean"}
STAGES = {"submit", "resolve"}
DEFAULT_MIN, DEFAULT_MAX = 0, 1_000_000_000
MIN_YEAR, MAX_YEAR = 1900, 2100
DEFAULT_MAX_LENGTH, DEFAULT_MAX_ITEMS, DEFAULT_MAX_ITEM_LENGTH = 500, 50, 100


def check_spec(spec: dict, where: str) -> None:
    """Validate one field spec from configuration; ``where`` names its key."""
    for key in ("name", "label", "type"):
        if not isinstance(spec.get(key), str) or not spec[key]:
            raise ConfigError(_("%(where)s.%(key)s is required") % {"where": where, "key": key})
    if spec["type"] not in FIELD_TYPES:
        raise ConfigError(_("%(where)s.type: unknown type “%(type)s”") % {"where": where, "type": spec["type"]})
    if spec["type"] == "choice" and not (isinstance(spec.get("choices"), list) and spec["choices"]):
        raise ConfigError(_("%(where)s.choices: a choice field needs a list of choices") % {"where": where})
    if spec.get("stage", "submit") not in STAGES:
        raise ConfigError(_("%(where)s.stage must be submit or resolve") % {"where": where})
    for key in ("min", "max", "max_length", "max_items", "max_item_length"):
        if key in spec and (isinstance(spec[key], bool) or not isinstance(spec[key], (int, float)) or not math.isfinite(spec[key])):
            raise ConfigError(_("%(where)s.%(key)s must be a number") % {"where": where, "key": key})


def _invalid(spec: dict, reason: str) -> InvalidInput:
    return InvalidInput(f"{spec['label']}{reason}", field=f"fields.{spec['name']}")


def _bounded(spec: dict, value: float) -> None:
    low, high = spec.get("min", DEFAULT_MIN), spec.get("max", DEFAULT_MAX)
    if not low <= value <= high:
        raise _invalid(spec, _(" must be between %(low)s and %(high)s") % {"low": low, "high": high})


def _text(spec: dict, value: Any, max_length: int) -> str:
    from jiceng.textcheck import has_control_character, is_blank

    text = str(value).strip()
    if has_control_character(text):
        raise _invalid(spec, _(" contains a control character (such as NUL)"))
    if len(text) > max_length:
        raise _invalid(spec, _(" is too long (at most %(n)s characters)") % {"n": max_length})
    return "" if is_blank(text) else text


def _integer(spec: dict, value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise ValueError  # 3.7 people is not rounded to 3
        value = int(value)
    number = int(str(value).strip()) if isinstance(value, str) and len(value) <= 30 else value
    if not isinstance(number, int):
        raise ValueError
    _bounded(spec, number)
    return number


def _number(spec: dict, value: Any) -> float:
    if isinstance(value, bool) or (isinstance(value, str) and len(value) > 40):
        raise ValueError
    number = float(value)
    if not math.isfinite(number):
        raise _invalid(spec, _(" must be a finite number"))
    _bounded(spec, number)
    return number


def _date(spec: dict, value: Any) -> str:
    text = str(value).strip()
    day = date.fromisoformat(text if len(text) <= 40 else "")
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise _invalid(spec, _(" must be a date between the years %(low)s and %(high)s") % {"low": MIN_YEAR, "high": MAX_YEAR})
    return day.isoformat()


def _list(spec: dict, value: Any) -> list[str]:
    max_items = int(spec.get("max_items", DEFAULT_MAX_ITEMS))
    max_item = int(spec.get("max_item_length", DEFAULT_MAX_ITEM_LENGTH))
    if isinstance(value, list):
        items = value
    elif isinstance(value, str) and len(value) <= max_items * (max_item + 1):
        items = value.replace("，", ",").split(",")
    else:
        raise _invalid(spec, _(" is too long (at most %(n)s items of %(m)s characters)") % {"n": max_items, "m": max_item})
    if len(items) > max_items:
        raise _invalid(spec, _(" has too many items (at most %(n)s)") % {"n": max_items})
    if any(isinstance(v, (list, dict)) for v in items):
        raise ValueError
    cleaned = [_text(spec, v, max_item) for v in items]
    return [v for v in cleaned if v]


def _coerce(spec: dict, value: Any) -> Any:
    kind = spec["type"]
    label = spec["label"]
    try:
        match kind:
            case "text":
                if isinstance(value, (list, dict)):
                    raise ValueError
                return _text(spec, value, int(spec.get("max_length", DEFAULT_MAX_LENGTH)))
            case "integer":
                return _integer(spec, value)
            case "number":
                return _number(spec, value)
            case "date":
                return _date(spec, value)
            case "boolean":
                if isinstance(value, bool):
                    return value
                if str(value).lower() in ("1", "true", "yes", "是"):
                    return True
                if str(value).lower() in ("0", "false", "no", "否"):
                    return False
                raise ValueError
            case "choice":
                if isinstance(value, (list, dict)) or value not in spec["choices"]:
                    raise InvalidInput(
                        _("%(label)s must be one of: %(choices)s") % {"label": label, "choices": "、".join(spec["choices"])},
                        field=f"fields.{spec['name']}",
                    )
                return value
            case "list":
                return _list(spec, value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(_("%(label)s has an invalid value") % {"label": label}, field=f"fields.{spec['name']}") from None
    raise ConfigError(f"unknown field type {kind}")


def clean_fields(specs: list[dict], values: dict | None, stage: str) -> dict:
    """Validate and normalise ``values`` against ``specs`` for ``stage``.

    Unknown keys are refused (they would be silently lost otherwise); required
    fields of this stage must be present and non-empty.
    """
    values = dict(values or {})
    by_name = {s["name"]: s for s in specs}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        raise InvalidInput(_("unknown field “%(name)s” for this category") % {"name": unknown[0]}, field=f"fields.{unknown[0]}")
    out: dict[str, Any] = {}
    for spec in specs:
        name = spec["name"]
        raw = values.get(name)
        empty = raw is None or raw == "" or raw == []
        if empty:
            if spec.get("required") and spec.get("stage", "submit") == stage:
                raise InvalidInput(_("%(label)s is required") % {"label": spec["label"]}, field=f"fields.{name}")
            continue
        value = _coerce(spec, raw)
        if value == "" or value == []:  # invisible-only text, a list of blanks
            if spec.get("required") and spec.get("stage", "submit") == stage:
                raise InvalidInput(_("%(label)s is required") % {"label": spec["label"]}, field=f"fields.{name}")
            continue
        out[name] = value
    return out
