"""Web pages of notifications: the inbox (phone first), marking read, the header's bell, the administrators' outbox.

Thin: the inbox and the outbox come from ``access``; changes go through the ``do_*`` operations in ``notify``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from jiceng.errors import DomainError, NotFound, NotPermitted
from jiceng.people.masking import mask_phone

from . import access
from .models import Channel, Delivery
from .notify import do_mark_all_read, do_mark_read, do_retry_delivery

PAGE = 30


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _back(request: HttpRequest, fallback: str = "notifications:inbox") -> HttpResponse:
    nxt = request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(nxt)
    return redirect(fallback)


def _mask_other(address: str) -> str:
    """An e-mail address or openid with its middle hidden: enough to tell two apart, not to write to."""
    name, at, domain = address.partition("@")
    keep = max(1, min(3, len(name) // 3))
    return f"{name[:keep]}***{name[-keep:] if len(name) > 2 * keep else ''}{at}{domain}"


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """My messages, newest first, 30 a page (keyset: ``before`` = the last id shown); ``?unread=1`` for the unread only."""
    qs = access.inbox(request.user).select_related("case")
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    total = qs.count()
    if (before := _int(request.GET.get("before"))) is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.order_by("-pk")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render(request, "notifications/inbox.html", {
        "rows": rows, "total": total, "unread_only": unread_only, "next_before": rows[-1].pk if more else None,
    })


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        do_mark_read(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    n = do_mark_all_read(request.user)
    messages.success(request, ngettext("%(n)s notification marked read", "%(n)s notifications marked read", n) % {"n": n})
    return _back(request)


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a message's link; opening it marks it read (only the reader's own read mark changes)."""
    try:
        note = do_mark_read(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return redirect(note.url or "notifications:inbox")


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """Every SMS, WeChat and e-mail delivery with its attempts (the fake SMS outbox of a demo too): administrators only."""
    try:
        qs = access.outbox(request.user)
    except NotPermitted:
        raise PermissionDenied from None
    channel, state = request.GET.get("channel", ""), request.GET.get("state", "")
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    if state in Delivery.State.values:
        qs = qs.filter(state=state)
    total = qs.count()
    if (before := _int(request.GET.get("before"))) is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.prefetch_related("tries").order_by("-pk")[: PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    for d in rows:
        # Phones and e-mail addresses are personal data: the outbox shows them masked.
        d.shown_address = mask_phone(d.address) if d.channel == Channel.SMS else _mask_other(d.address)
    return render(request, "notifications/outbox.html", {
        "rows": rows, "total": total, "next_before": rows[-1].pk if more else None, "channel": channel, "state": state,
        "channels": Channel.choices, "states": Delivery.State.choices,
    })


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        do_retry_delivery(request.user, pk)
    except NotPermitted:
        raise PermissionDenied from None
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delivery is queued to be sent again"))
    return _back(request, "notifications:outbox")
