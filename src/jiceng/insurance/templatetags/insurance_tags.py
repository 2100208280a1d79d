"""Template filters for the medical protection pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from jiceng.insurance.money import fmt_yuan

register = template.Library()


@register.filter
def yuan(value: Decimal | None) -> str:
    """57000 → "57,000.00" (the engine's own money format, whatever the UI language)."""
    return "" if value is None else fmt_yuan(Decimal(value))


@register.filter
def level_label(value: str) -> str:
    """"3" → "三级医院"."""
    from jiceng.insurance.policy import LEVEL_LABELS

    return LEVEL_LABELS.get(str(value), str(value))


@register.filter
def field_label(value: str) -> str:
    """A field key as its Chinese label (never shown raw)."""
    from jiceng.insurance.messages import field_label as label

    return label(value)
