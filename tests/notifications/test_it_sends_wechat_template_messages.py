"""WeChat template messages: the official account's API shape, errcode 0 is success (a real local server)."""

from __future__ import annotations

import pytest

from jiceng.notifications import outbox
from jiceng.notifications.models import Channel, Contact, Delivery
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db


def test_it_sends_the_template_to_the_openid_and_reads_errcode(world, notify_settings, gateway, django_capture_on_commit_callbacks):
    notify_settings["WECHAT"] = {"URL": f"{gateway.url}/cgi-bin/message/template/send", "ACCESS_TOKEN": "wx-token", "TEMPLATE_ID": "TPL-1"}
    village = world.villages[-1]
    staff = village_staff(world, village.code)
    Contact.objects.create(user=staff, channel=Channel.WECHAT, address="oABC123openid")
    gateway.answers.append((200, '{"errcode": 40003, "errmsg": "invalid openid"}'))
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(world, village=village, user=world.users[f"grid-{village.code}001"])
    d = Delivery.objects.get(channel=Channel.WECHAT)
    d = outbox.attempt(d.pk)
    assert d.state == Delivery.State.PENDING and "40003" in d.last_error
    d = outbox.attempt(d.pk, now=d.next_attempt_at)
    assert d.state == Delivery.State.SENT and d.attempts == 2
    request = gateway.requests[-1]
    assert request["path"] == "/cgi-bin/message/template/send?access_token=wx-token"
    body = request["json"]
    assert body["touser"] == "oABC123openid" and body["template_id"] == "TPL-1"
    assert body["url"] == f"https://jiceng.example.cn/cases/{case.number}/"
    assert body["data"]["first"]["value"] == f"新工单待受理：{case.number}" and body["data"]["keyword1"]["value"] == case.number
    assert "村道路灯不亮" not in str(body)


def test_an_inactive_contact_turns_a_channel_off(world, notify_settings, gateway, django_capture_on_commit_callbacks):
    notify_settings["SMS"] = {"URL": gateway.url, "TOKEN": "t", "SIGN": ""}
    village = world.villages[-1]
    staff = village_staff(world, village.code)
    staff.phone = "13900001111"
    staff.save()
    Contact.objects.create(user=staff, channel=Channel.SMS, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, village=village, user=world.users[f"grid-{village.code}001"])
    assert staff.notifications.count() == 1 and Delivery.objects.count() == 0
