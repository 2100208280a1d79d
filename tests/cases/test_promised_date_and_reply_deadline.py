"""The resident's promised date (承诺办结时间) beside the tier's deadline, and the reply deadline of a 督办 — through web and REST."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.cases import sla
from jiceng.cases.actions import do_case_action
from tests.api.helpers import client_for, post_json

from .helpers import handling_case, village_staff

pytestmark = pytest.mark.django_db


def test_escalation_starts_the_tiers_clock_but_keeps_the_promise(world):
    case = handling_case(world, category="jiufen-land", fields={"parties": ["甲", "乙"]})
    promised = case.promised_at
    assert promised is not None and promised == case.deadline
    case = do_case_action(case, "escalate", village_staff(world, case.area_id), {"note": "村调解不成"})
    assert case.deadline != promised, "the township gets its own limit"
    assert case.promised_at == promised
    data = client_for(village_staff(world, case.area_id)).get(f"/api/v1/cases/{case.number}").json()
    assert data["promised_at"] is not None and data["deadline"] != data["promised_at"]


def test_an_approved_extension_moves_the_promise(world):
    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    wanted = case.deadline + timedelta(days=7)
    case = do_case_action(case, "request_extension", staff, {"deadline": wanted, "note": "需采购配件"})
    assert case.promised_at < wanted
    case = do_case_action(case, "approve_extension", world.users[f"tz-{case.area_id[6:9]}"], {})
    assert case.promised_at == wanted == case.deadline


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_supervision_sets_a_reply_deadline_the_holders_note_answers(world, adapter):
    case = handling_case(world)
    leader = world.users["leader"]
    before = timezone.now()
    if adapter == "web":
        client_for(leader).post(f"/cases/{case.number}/act/supervise/", {"note": "请两日内报告进展", "version": case.version})
    else:
        assert post_json(client_for(leader), f"/api/v1/cases/{case.number}/supervise", {"note": "请两日内报告进展"}).status_code == 200
    case.refresh_from_db()
    assert case.reply_by is not None and sla.reply_deadline(before) <= case.reply_by <= sla.reply_deadline(timezone.now())
    # the leader's own note is no answer
    case = do_case_action(case, "note", leader, {"note": "再次提醒"})
    assert case.reply_by is not None
    data = client_for(leader).get(f"/api/v1/cases/{case.number}").json()
    assert data["reply_by"] is not None and data["reply_overdue"] is False
    staff = village_staff(world, case.area_id)
    if adapter == "web":
        client_for(staff).post(f"/cases/{case.number}/act/note/", {"note": "已采购灯泡，明日更换", "version": case.version})
    else:
        post_json(client_for(staff), f"/api/v1/cases/{case.number}/note", {"note": "已采购灯泡，明日更换"})
    case.refresh_from_db()
    assert case.reply_by is None
    assert case.events.order_by("-seq").first().payload.get("replied") is True


def test_a_reply_date_sent_by_a_client_is_ignored(world):
    case = handling_case(world)
    far = timezone.now() + timedelta(days=300)
    case = do_case_action(case, "supervise", world.users["leader"], {"note": "督办", "reply_by": far})
    assert case.reply_by < far


def test_the_case_page_shows_the_promise_the_tier_deadline_and_an_overdue_reply(world):
    case = handling_case(world, category="jiufen-land", fields={"parties": ["甲", "乙"]})
    case = do_case_action(case, "escalate", village_staff(world, case.area_id), {"note": "村调解不成"})
    long_ago = timezone.now() - timedelta(days=30)
    case = do_case_action(case, "supervise", world.users["leader"], {"note": "请报告进展"}, now=long_ago)
    page = client_for(world.users["leader"]).get(f"/cases/{case.number}/").content.decode()
    strip = page.split('id="deadlines"')[1].split("</div>\n</div>")[0]
    assert "承诺办结时间" in strip and "乡镇（街道）办理时限" in strip and "晚于承诺" in strip
    assert "督办回复期限" in strip and "回复超期" in strip
