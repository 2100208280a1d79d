"""Category-specific fields (a hazard's level, a dispute's parties …).

A field spec is a dict from the configuration::

    {name = "hazard_level", label = "隐患等级", type = "choice",
     choices = ["一般", "较大", "重大"], required = true, stage = "submit"}

``type`` is one of text, integer, number, date, choice, list, boolean;
``stage`` says when the value must be present: submit (default) or resolve.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from .errors import ConfigError, InvalidInput

FIELD_TYPES = {"text", "integer", "number", "date", "choice", "list", "boolean"}
STAGES = {"submit", "resolve"}


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


def _coerce(spec: dict, value: Any) -> Any:
    kind = spec["type"]
    label = spec["label"]
    try:
        match kind:
            case "text":
                return str(value).strip()
            case "integer":
                if isinstance(value, bool):
                    raise ValueError
                return int(value)
            case "number":
                if isinstance(value, bool):
                    raise ValueError
                return float(value)
            case "date":
                return date.fromisoformat(str(value)).isoformat()
            case "boolean":
                if isinstance(value, bool):
                    return value
                if str(value).lower() in ("1", "true", "yes", "是"):
                    return True
                if str(value).lower() in ("0", "false", "no", "否"):
                    return False
                raise ValueError
            case "choice":
                if value not in spec["choices"]:
                    raise InvalidInput(
                        _("%(label)s must be one of: %(choices)s") % {"label": label, "choices": "、".join(spec["choices"])},
                        field=f"fields.{spec['name']}",
                    )
                return value
            case "list":
                items = value if isinstance(value, list) else [v for v in str(value).replace("，", ",").split(",")]
                return [str(v).strip() for v in items if str(v).strip()]
    except (TypeError, ValueError):
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
        out[name] = _coerce(spec, raw)
    return out
