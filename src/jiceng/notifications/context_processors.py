"""The bell in the site header: the viewer's unread count (one indexed COUNT per page)."""

from __future__ import annotations

from . import access


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notify_unread": access.unread_count(user), "notify_outbox": access.can_see_outbox(user)}
