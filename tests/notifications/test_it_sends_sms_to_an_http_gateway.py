"""SMS goes to the configured gateway as POSTed JSON with the token; its answer decides success (a real local server)."""

from __future__ import annotations

import pytest

from jiceng.notifications import outbox
from jiceng.notifications.models import Channel, Delivery
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_on(notify_settings, gateway):
    notify_settings["SMS"] = {"URL": f"{gateway.url}/sms/send", "TOKEN": "sms-secret", "SIGN": "基层治理"}
    return gateway


def _new_case_delivery(world, django_capture_on_commit_callbacks) -> Delivery:
    village = world.villages[-1]
    staff = village_staff(world, village.code)
    staff.phone = "13900001111"
    staff.save()
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, village=village, user=world.users[f"grid-{village.code}001"])
    return Delivery.objects.get(channel=Channel.SMS)


def test_it_posts_json_with_the_token_and_records_the_attempt(world, sms_on, django_capture_on_commit_callbacks):
    d = _new_case_delivery(world, django_capture_on_commit_callbacks)
    assert d.state == Delivery.State.PENDING and d.address == "13900001111"
    d = outbox.attempt(d.pk)
    assert d.state == Delivery.State.SENT and d.attempts == 1 and d.sent_at is not None
    [request] = sms_on.requests
    assert request["path"] == "/sms/send" and request["headers"]["Authorization"] == "Bearer sms-secret"
    body = request["json"]
    assert body["to"] == "13900001111" and body["ref"] == str(d.pk)
    assert body["text"].startswith("【基层治理】工单 ") and "已提交，请及时受理" in body["text"] and body["text"].endswith(f"https://jiceng.example.cn/cases/{d.notification.case.number}/")
    assert "村道路灯不亮" not in body["text"]  # what people wrote stays inside the site
    [tried] = d.tries.all()
    assert tried.ok and tried.number == 1 and "HTTP 200" in tried.detail


def test_a_refusal_of_the_gateway_is_a_failed_attempt_with_its_answer(world, sms_on, django_capture_on_commit_callbacks):
    d = _new_case_delivery(world, django_capture_on_commit_callbacks)
    sms_on.answers.append((200, '{"code": 1024, "msg": "余额不足"}'))
    d = outbox.attempt(d.pk)
    assert d.state == Delivery.State.PENDING and d.attempts == 1 and "余额不足" in d.last_error
    sms_on.answers.append((503, "gateway down"))
    d = outbox.attempt(d.pk, now=d.next_attempt_at)
    assert d.attempts == 2 and d.last_error.startswith("HTTP 503") and [t.ok for t in d.tries.all()] == [False, False]


def test_an_unreachable_gateway_is_a_failed_attempt(world, sms_on, notify_settings, django_capture_on_commit_callbacks):
    d = _new_case_delivery(world, django_capture_on_commit_callbacks)
    sms_on.close()
    d = outbox.attempt(d.pk)
    assert d.state == Delivery.State.PENDING and d.attempts == 1 and d.last_error
    assert "Error" in d.tries.get().detail


def test_a_fake_gateway_records_without_sending(world, notify_settings, django_capture_on_commit_callbacks):
    notify_settings["SMS"] = {"URL": "fake", "TOKEN": "", "SIGN": ""}
    d = _new_case_delivery(world, django_capture_on_commit_callbacks)
    d = outbox.attempt(d.pk)
    assert d.state == Delivery.State.SENT and "fake" in d.tries.get().detail
