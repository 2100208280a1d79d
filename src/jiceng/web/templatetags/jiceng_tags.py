"""Template helpers for showing case data."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def field_value(value: object) -> str:
    """A category field value as people read it: lists joined, booleans as 是/否."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


@register.filter
def label_of(labels: dict, name: str) -> str:
    return labels.get(name, name)
