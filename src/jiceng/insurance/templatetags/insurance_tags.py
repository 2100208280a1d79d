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
