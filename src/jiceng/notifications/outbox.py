"""The outbox: one attempt at a delivery, back-off between attempts, and the sweep for stranded rows.

A delivery is claimed (pending → sending) by one conditional UPDATE, so two
workers never send it twice; the network call runs outside any transaction;
its outcome, the attempt row and the next attempt's task are written in one
transaction. After ``MAX_ATTEMPTS`` failures the delivery is 'failed'.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .channels import Message, SendError, adapter_for
from .models import Delivery, DeliveryAttempt

log = logging.getLogger(__name__)
# A worker that took a delivery and did not report back within this time died: the row goes back to pending.
STRANDED_AFTER = timedelta(minutes=10)
# A pending delivery whose attempt is this late has lost its task (a worker crashed mid-task): it gets a new one.
LATE_AFTER = timedelta(minutes=15)


def _config() -> dict:
    return getattr(settings, "NOTIFICATIONS", {})


def max_attempts() -> int:
    return max(1, int(_config().get("MAX_ATTEMPTS", 6)))


def backoff(failed_attempts: int) -> timedelta:
    """How long to wait after the ``failed_attempts``-th failure: base × 2^(n−1), capped."""
    base = float(_config().get("BACKOFF_SECONDS", 60))
    cap = float(_config().get("BACKOFF_MAX_SECONDS", 6 * 3600))
    return timedelta(seconds=min(cap, base * 2 ** max(0, failed_attempts - 1)))


@task(queue_name="notifications")
def deliver(delivery_id: int) -> str:
    """The background task (django-tasks, run by ``jiceng worker``): one attempt; a failure schedules the next itself."""
    d = attempt(delivery_id)
    return d.state if d is not None else "skipped"


def schedule(delivery_id: int, run_after: datetime | None = None) -> None:
    """Queue an attempt (in the caller's transaction: with the database backend the job row commits with it)."""
    task = deliver.using(run_after=run_after) if run_after is not None else deliver
    task.enqueue(delivery_id)


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    taken = Delivery.objects.filter(due, pk=delivery_id, state=Delivery.State.PENDING).update(state=Delivery.State.SENDING, claimed_at=now)
    return Delivery.objects.get(pk=delivery_id) if taken else None


def _message(d: Delivery) -> Message:
    keywords = tuple(k for k in (d.notification.case.number if d.notification and d.notification.case_id else "", d.subject,
                                 timezone.localtime(d.created_at).strftime("%Y-%m-%d %H:%M")) if k)
    return Message(address=d.address, subject=d.subject, text=d.text, url=d.url, reference=str(d.pk), keywords=keywords)


def _send(d: Delivery) -> tuple[bool, str]:
    adapter = adapter_for(d.channel)
    if adapter is None:
        return False, _("The channel is no longer configured")
    try:
        return True, adapter.send(_message(d))
    except SendError as exc:
        return False, str(exc)
    except Exception as exc:  # noqa: BLE001 - an adapter's bug is recorded as a failed attempt, never lost
        log.exception("notification adapter %s failed", d.channel)
        return False, f"{type(exc).__name__}: {exc}"[:300]


def attempt(delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Try to send one delivery now. None when it is not due, already sent, or another worker has it."""
    now = now or timezone.now()
    with transaction.atomic():
        d = _claim(delivery_id, now)
    if d is None:
        return None
    started = time.monotonic()
    ok, detail = _send(d)
    _record(d, ok, detail, now, int((time.monotonic() - started) * 1000))
    d.refresh_from_db()
    return d


def _record(d: Delivery, ok: bool, detail: str, now: datetime, duration_ms: int) -> None:
    number = d.attempts + 1
    with transaction.atomic():
        DeliveryAttempt.objects.create(delivery=d, number=number, at=now, ok=ok, detail=detail, duration_ms=duration_ms)
        changes: dict = {"attempts": number, "claimed_at": None}
        if ok:
            changes.update(state=Delivery.State.SENT, sent_at=now, next_attempt_at=None, last_error="")
        elif number >= max_attempts():
            changes.update(state=Delivery.State.FAILED, next_attempt_at=None, last_error=detail)
        else:
            retry_at = now + backoff(number)
            changes.update(state=Delivery.State.PENDING, next_attempt_at=retry_at, last_error=detail)
            schedule(d.pk, retry_at)
        Delivery.objects.filter(pk=d.pk, state=Delivery.State.SENDING).update(**changes)


def sweep(now: datetime | None = None) -> str | None:
    """Give stranded deliveries back to the worker (run by ``jiceng tick``); a line for its report, or None."""
    now = now or timezone.now()
    with transaction.atomic():
        stranded = Delivery.objects.filter(state=Delivery.State.SENDING, claimed_at__lt=now - STRANDED_AFTER)
        freed = list(stranded.values_list("pk", flat=True)[:1000])
        Delivery.objects.filter(pk__in=freed, state=Delivery.State.SENDING).update(state=Delivery.State.PENDING, claimed_at=None, next_attempt_at=now)
        late = list(Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lt=now - LATE_AFTER).values_list("pk", flat=True)[:1000])
        Delivery.objects.filter(pk__in=late).update(next_attempt_at=now)
        for pk in [*freed, *late]:
            schedule(pk)
    if not (freed or late):
        return None
    return _("notifications: %(freed)s deliveries taken back from a stopped worker, %(late)s queued again") % {"freed": len(freed), "late": len(late)}
