"""Steps shared by the notification tests."""

from __future__ import annotations

from jiceng.notifications.models import Notification


def inbox_of(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def kinds_of(user) -> list[str]:
    return [n.kind for n in inbox_of(user)]
