"""A failed delivery is tried again after 1, 2, 4 … back-off units, each attempt recorded, then 'failed' at the limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from jiceng.notifications import outbox
from jiceng.notifications.models import Channel, Delivery
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db


def test_back_off_doubles_and_is_capped(notify_settings):
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    notify_settings["BACKOFF_MAX_SECONDS"] = 300
    assert outbox.backoff(10).total_seconds() == 300


def test_it_retries_on_schedule_then_gives_up(world, notify_settings, gateway, django_capture_on_commit_callbacks):
    notify_settings["SMS"] = {"URL": gateway.url, "TOKEN": "t", "SIGN": ""}
    gateway.default = (500, "internal error")
    village = world.villages[-1]
    staff = village_staff(world, village.code)
    staff.phone = "13900001111"
    staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, village=village, user=world.users[f"grid-{village.code}001"])
    d = Delivery.objects.get(channel=Channel.SMS)
    assert DBTaskResult.objects.filter(task_path="jiceng.notifications.outbox.deliver", args_kwargs__args=[d.pk]).count() == 1
    t0 = d.created_at

    d = outbox.attempt(d.pk, now=t0)
    assert (d.state, d.attempts, d.next_attempt_at) == (Delivery.State.PENDING, 1, t0 + timedelta(seconds=60))
    assert outbox.attempt(d.pk, now=t0 + timedelta(seconds=59)) is None  # not due yet: nothing tried, nothing recorded
    runs = DBTaskResult.objects.filter(task_path="jiceng.notifications.outbox.deliver").order_by("enqueued_at")
    assert runs.last().run_after == t0 + timedelta(seconds=60)  # the next attempt is a task that waits for its time

    d = outbox.attempt(d.pk, now=t0 + timedelta(seconds=60))
    assert (d.state, d.attempts, d.next_attempt_at) == (Delivery.State.PENDING, 2, t0 + timedelta(seconds=180))
    d = outbox.attempt(d.pk, now=t0 + timedelta(seconds=180))
    assert (d.state, d.attempts, d.next_attempt_at) == (Delivery.State.FAILED, 3, None)
    assert d.last_error == "HTTP 500: internal error"
    assert [(t.number, t.ok) for t in d.tries.all()] == [(1, False), (2, False), (3, False)]
    assert len(gateway.requests) == 3
    assert runs.count() == 3  # the first, and one per retry; none after the last failure
    assert outbox.attempt(d.pk, now=t0 + timedelta(days=1)) is None  # a failed delivery stays failed
