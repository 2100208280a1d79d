"""Template helpers for the case forms."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` or None: a form value by a name held in a variable (category fields)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
