"""From the outbox page an administrator sends a failed delivery once more; nobody else may, and only a failed one."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from jiceng.errors import NotPermitted, TransitionNotAllowed
from jiceng.notifications import outbox
from jiceng.notifications.models import Channel, Delivery
from jiceng.notifications.notify import do_retry_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(world, notify_settings, gateway):
    notify_settings["SMS"] = {"URL": gateway.url, "TOKEN": "t", "SIGN": ""}
    now = timezone.now()
    d = Delivery.objects.create(channel=Channel.SMS, address="13900001111", subject="工单超期", text="请立即办理", created_at=now,
                                next_attempt_at=now, state=Delivery.State.FAILED, attempts=3, last_error="HTTP 500")
    return d


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_administrator_sends_it_again_from_the_outbox(world, failed, gateway):
    r = _client(world.users["admin"]).post(f"/notifications/outbox/{failed.pk}/retry/", {"next": "/notifications/outbox/?state=failed"})
    assert r.status_code == 302 and r["Location"] == "/notifications/outbox/?state=failed"
    failed.refresh_from_db()
    assert failed.state == Delivery.State.PENDING
    d = outbox.attempt(failed.pk)
    assert d.state == Delivery.State.SENT and d.attempts == 4 and len(gateway.requests) == 1


def test_others_may_not_and_a_sent_one_is_not_sent_twice(world, failed):
    staff = world.users[f"cun-{world.villages[0].code}"]
    assert _client(staff).post(f"/notifications/outbox/{failed.pk}/retry/").status_code == 403
    with pytest.raises(NotPermitted):
        do_retry_delivery(staff, failed.pk)
    Delivery.objects.filter(pk=failed.pk).update(state=Delivery.State.SENT)
    with pytest.raises(TransitionNotAllowed):
        do_retry_delivery(world.users["admin"], failed.pk)
    page = _client(world.users["admin"]).post(f"/notifications/outbox/{failed.pk}/retry/", follow=True).content.decode()
    assert "只有发送失败的记录才能重发" in page
    assert _client(world.users["admin"]).post("/notifications/outbox/999999/retry/").status_code == 404
