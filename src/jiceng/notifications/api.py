"""REST endpoints of the inbox: my notifications, the unread count, marking read. Reads through ``access``,
writes through the ``do_*`` operations; another person's notification is 404 like a missing one."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from jiceng.schemas import ErrorOut

from . import access
from .models import Notification
from .notify import do_mark_all_read, do_mark_read

router = Router(tags=["notifications"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    case: str | None
    title: str
    text: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class InboxQuery(Schema):
    unread: bool = False
    before: int | None = None
    limit: int = Field(50, ge=1, le=200)


class CountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


def _out(n: Notification) -> dict:
    return {"id": n.pk, "kind": n.kind, "kind_label": str(n.get_kind_display()), "case": n.case.number if n.case_id else None,
            "title": n.title, "text": n.text, "url": n.url, "created_at": n.created_at, "read_at": n.read_at}


@router.get("/notifications", response={200: list[NotificationOut], **ERRORS}, summary="My notifications, newest first")
def list_notifications(request: HttpRequest, query: Query[InboxQuery]):
    qs = access.inbox(request.user).select_related("case")
    if query.unread:
        qs = qs.filter(read_at__isnull=True)
    if query.before:
        qs = qs.filter(pk__lt=query.before)
    return [_out(n) for n in qs.order_by("-pk")[: query.limit]]


@router.get("/notifications/unread-count", response={200: CountOut, **ERRORS}, summary="How many of my notifications are unread")
def unread_count(request: HttpRequest):
    return {"unread": access.unread_count(request.user)}


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS}, summary="Mark one of my notifications read")
def mark_read(request: HttpRequest, notification_id: int):
    return _out(do_mark_read(request.user, notification_id))


@router.post("/notifications/read-all", response={200: MarkedOut, **ERRORS}, summary="Mark all my notifications read; how many were unread")
def mark_all_read(request: HttpRequest):
    return {"marked": do_mark_all_read(request.user)}
