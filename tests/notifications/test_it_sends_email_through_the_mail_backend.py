"""E-mail goes through Django's mail backend (locmem here): subject, text and the absolute link."""

from __future__ import annotations

import pytest
from django.core import mail

from jiceng.notifications import outbox
from jiceng.notifications.models import Channel, Delivery
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db


def test_it_mails_the_staff_their_new_case(world, notify_settings, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notify_settings["EMAIL"] = {"ENABLED": True}
    village = world.villages[-1]
    staff = village_staff(world, village.code)
    staff.email = "cun@example.cn"
    staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(world, village=village, user=world.users[f"grid-{village.code}001"])
    d = outbox.attempt(Delivery.objects.get(channel=Channel.EMAIL).pk)
    assert d.state == Delivery.State.SENT
    [message] = mail.outbox
    assert message.to == ["cun@example.cn"] and message.subject == f"新工单待受理：{case.number}"
    assert f"https://jiceng.example.cn/cases/{case.number}/" in message.body


def test_a_failing_mail_server_is_a_failed_attempt(world, notify_settings, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens on the discard port
    notify_settings["EMAIL"] = {"ENABLED": True}
    village = world.villages[-1]
    staff = village_staff(world, village.code)
    staff.email = "cun@example.cn"
    staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, village=village, user=world.users[f"grid-{village.code}001"])
    d = outbox.attempt(Delivery.objects.get(channel=Channel.EMAIL).pk)
    assert d.state == Delivery.State.PENDING and d.attempts == 1 and "Error" in d.last_error
