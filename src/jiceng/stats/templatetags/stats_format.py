"""Formatting of figures: rates as percentages, changes as signed points or percentages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def figure(value, is_rate: bool = False) -> str:
    if value is None:
        return "—"
    if is_rate:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return f"{value:,}"


@register.filter
def change(value, is_rate: bool = False) -> str:
    """环比/同比: a rate's change in percentage points, a count's in percent."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{value * 100:.1f}{'个百分点' if is_rate else '%'}"


@register.filter
def good_or_bad(value, higher_is_better: bool = True) -> str:
    if not value:
        return ""
    return "up-good" if (value > 0) == bool(higher_is_better) else "up-bad"


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def add_days(value, days):
    from datetime import timedelta

    return value + timedelta(days=int(days))
