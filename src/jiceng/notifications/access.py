"""Who sees which notifications: each person their own inbox; the outbox only with ``view_outbox`` (administrators)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jiceng.accounts.capabilities import Capability, can, require

from .models import Delivery, Notification


def inbox(user: Any) -> QuerySet[Notification]:
    """The user's own messages, newest first; nobody else's, ever."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_count(user: Any) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def can_see_outbox(user: Any) -> bool:
    return can(user, Capability.VIEW_OUTBOX)


def outbox(user: Any) -> QuerySet[Delivery]:
    """Every delivery, for administrators (NotPermitted otherwise)."""
    require(user, Capability.VIEW_OUTBOX)
    return Delivery.objects.select_related("notification", "notification__case", "notification__recipient")
