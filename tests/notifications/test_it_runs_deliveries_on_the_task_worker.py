"""The deliveries run as django-tasks jobs in the database: `jiceng worker --batch` sends what is due."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from jiceng.notifications.models import Channel, Delivery
from jiceng.notifications.worker import run_pending
from tests.cases.helpers import submit, village_staff

# The worker checks its connection between tasks as in production, which a test transaction would not survive.
pytestmark = pytest.mark.django_db(transaction=True)


def _two_deliveries(world, notify_settings, gateway, django_capture_on_commit_callbacks) -> None:
    notify_settings["SMS"] = {"URL": gateway.url, "TOKEN": "t", "SIGN": ""}
    for village in world.villages[-2:]:
        staff = village_staff(world, village.code)
        staff.phone = "13900001111"
        staff.save()
        with django_capture_on_commit_callbacks(execute=True):
            submit(world, village=village, user=world.users[f"grid-{village.code}001"])


def test_the_worker_sends_every_due_delivery(world, notify_settings, gateway, django_capture_on_commit_callbacks):
    _two_deliveries(world, notify_settings, gateway, django_capture_on_commit_callbacks)
    assert Delivery.objects.filter(channel=Channel.SMS, state="pending").count() == 2
    run_pending()
    assert Delivery.objects.filter(state="sent").count() == 2 and len(gateway.requests) == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_the_worker_command(world, notify_settings, gateway, django_capture_on_commit_callbacks):
    _two_deliveries(world, notify_settings, gateway, django_capture_on_commit_callbacks)
    call_command("worker", "--batch")
    assert Delivery.objects.filter(state="sent").count() == 2


def test_the_sweep_gives_a_stranded_delivery_back(world, notify_settings, gateway, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from jiceng.notifications import outbox

    _two_deliveries(world, notify_settings, gateway, django_capture_on_commit_callbacks)
    now = timezone.now()
    stuck, late = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=stuck.pk).update(state="sending", claimed_at=now - timedelta(minutes=11))  # its worker died
    Delivery.objects.filter(pk=late.pk).update(next_attempt_at=now - timedelta(minutes=16))
    DBTaskResult.objects.all().delete()  # and its job was lost
    line = outbox.sweep(now)
    assert "1" in line
    run_pending()
    assert Delivery.objects.filter(state="sent").count() == 2
    assert outbox.sweep(now) is None
