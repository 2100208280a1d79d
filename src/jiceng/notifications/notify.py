"""Domain operations of notifications: ``do_notify`` (inbox and outbox rows in one transaction),
``do_mark_read``, ``do_mark_all_read`` and ``do_retry_delivery``.

The texts come from templates (``notifications/messages/<kind>.txt``: the
first line is the title, the rest the text), so an installation can word them
its own way. Texts for SMS, WeChat and e-mail leave out the case's title and
notes: what residents and staff write stays inside the site.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, require
from jiceng.accounts.models import User
from jiceng.cases.models import Case, CaseEvent
from jiceng.errors import NotFound, TransitionNotAllowed

from . import outbox
from .channels import enabled_channels
from .models import Channel, Contact, Delivery, Notification

TITLE_MAX = 120


def _when(value: str | datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def message_context(case: Case, event: CaseEvent, extra: dict) -> dict:
    return {
        "case": case, "event": event, "village": case.area.name, "unit": event.unit.name if event.unit_id else "",
        "deadline": _when(event.payload.get("deadline") or case.deadline), "reply_by": _when(case.reply_by),
        "actor": event.actor_label, "note": event.note, **extra,
    }


def render(kind: str, context: dict, *, external: bool) -> tuple[str, str]:
    """(title, text) of a message of ``kind``; ``external`` for channels that leave the site."""
    lines = render_to_string(f"notifications/messages/{kind}.txt", {**context, "external": external}).strip().splitlines()
    title = lines[0].strip()[:TITLE_MAX]
    text = " ".join(line.strip() for line in lines[1:] if line.strip())
    return title, text


def case_url(case: Case, *, absolute: bool) -> str:
    path = reverse("cases:detail", args=[case.number])
    return f"{settings.NOTIFICATIONS['SITE_URL']}{path}" if absolute else path


def addresses(users: list[User]) -> dict[int, list[tuple[str, str]]]:
    """Each person's (channel, address) pairs over the enabled channels: their Contact rows, else the account's phone and e-mail."""
    channels = enabled_channels()
    if not channels:
        return {}
    contacts: dict[tuple[int, str], Contact] = {
        (c.user_id, c.channel): c for c in Contact.objects.filter(user__in=users, channel__in=channels)
    }
    out: dict[int, list[tuple[str, str]]] = {}
    for user in users:
        for channel in channels:
            contact = contacts.get((user.pk, channel))
            if contact is not None:
                address = contact.address if contact.active else ""
            else:
                address = {Channel.SMS: user.phone, Channel.EMAIL: user.email}.get(channel, "")
            if address:
                out.setdefault(user.pk, []).append((channel, address))
    return out


def do_notify(*, kind: str, case: Case, event: CaseEvent | None, recipients: list[User], extra: dict | None = None,
              now: datetime | None = None) -> list[Notification]:
    """One inbox message per recipient and one delivery per channel they take, with its job queued, all or nothing.

    A recipient already told of this event (the signal delivered twice) is skipped.
    """
    now = now or timezone.now()
    context = message_context(case, event, extra or {}) if event else {"case": case, "village": case.area.name, **(extra or {})}
    title, text = render(kind, context, external=False)
    out_title, out_text = render(kind, context, external=True)
    link, out_link = case_url(case, absolute=False), case_url(case, absolute=True)
    reach = addresses(recipients)
    made = []
    with transaction.atomic():
        for user in recipients:
            try:
                with transaction.atomic():
                    note = Notification.objects.create(recipient=user, kind=kind, case=case, event=event, title=title, text=text,
                                                       url=link, created_at=now)
            except IntegrityError:
                continue  # told already
            made.append(note)
            for channel, address in reach.get(user.pk, []):
                d = Delivery.objects.create(notification=note, channel=channel, address=address, subject=out_title, text=out_text,
                                            url=out_link, created_at=now, next_attempt_at=now)
                outbox.schedule(d.pk)
    return made


# --- the inbox ---------------------------------------------------------------------------

def do_mark_read(user: User, notification_id: int, now: datetime | None = None) -> Notification:
    """Mark one of the user's own messages read (someone else's is 'not found', like a missing one)."""
    note = Notification.objects.filter(pk=notification_id, recipient=user).first() if user.is_authenticated else None
    if note is None:
        raise NotFound(_("The notification does not exist or is not yours"), field="id")
    if note.read_at is None:
        note.read_at = now or timezone.now()
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=note.read_at)
    return note


def do_mark_all_read(user: User, now: datetime | None = None) -> int:
    """Mark every unread message of the user read; how many were."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=now or timezone.now())


# --- the outbox ----------------------------------------------------------------------------

def do_retry_delivery(user: User, delivery_id: int, now: datetime | None = None) -> Delivery:
    """An administrator sends a failed delivery once more (one more attempt beyond the limit)."""
    require(user, Capability.VIEW_OUTBOX)
    now = now or timezone.now()
    with transaction.atomic():
        d = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if d is None:
            raise NotFound(_("The delivery does not exist"), field="id")
        if d.state != Delivery.State.FAILED:
            raise TransitionNotAllowed(_("Only a failed delivery is sent again; this one is “%(state)s”") % {"state": d.get_state_display()})
        Delivery.objects.filter(pk=d.pk).update(state=Delivery.State.PENDING, next_attempt_at=now)
        outbox.schedule(d.pk)
    d.refresh_from_db()
    return d
