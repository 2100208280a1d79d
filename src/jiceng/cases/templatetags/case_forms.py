"""Template helpers for the case forms."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` or None: a form value by a name held in a variable (category fields)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def reply_overdue(case: Any) -> bool:
    """Whether the answer to the latest 督办 of ``case`` is overdue now (sla.reply_is_overdue)."""
    from django.utils import timezone

    from jiceng.cases.sla import reply_is_overdue

    return reply_is_overdue(case, timezone.now())
