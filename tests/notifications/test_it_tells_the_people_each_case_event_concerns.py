"""Each case event reaches the people it concerns, once its transaction has committed, and never the actor."""

from __future__ import annotations

import pytest

from jiceng.cases.actions import do_case_action
from jiceng.notifications.models import Kind, Notification
from tests.cases.helpers import handling_case, submit, village_staff

from .helpers import inbox_of, kinds_of

pytestmark = pytest.mark.django_db


def test_a_new_case_reaches_the_village_staff_and_a_dispatch_reaches_the_unit(world, notify_settings, django_capture_on_commit_callbacks):
    village = world.villages[-1]
    staff = village_staff(world, village.code)
    worker = world.users[f"grid-{village.code}001"]
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(world, village=village, user=worker)
    [note] = inbox_of(staff)
    assert note.kind == Kind.ARRIVED and note.case == case and note.read_at is None
    assert note.title == f"新工单待受理：{case.number}"
    assert "村道路灯不亮" in note.text and village.name in note.text and note.url == f"/cases/{case.number}/"
    assert inbox_of(worker) == []  # the reporter is not told of their own report

    with django_capture_on_commit_callbacks(execute=True):
        case = do_case_action(case, "accept", staff, {"plan": "三天内更换灯泡"})
        case = do_case_action(case, "dispatch", staff, {})
    # the village committee is the unit; its only member dispatched it himself: nobody else to tell
    assert kinds_of(staff) == [Kind.ARRIVED]


def test_escalation_reaches_the_next_tier_and_a_return_reaches_its_dispatchers(world, notify_settings, django_capture_on_commit_callbacks):
    case = handling_case(world, category="jiufen-land", fields={"parties": ["李建国", "王志勇"]})
    staff = village_staff(world, case.area_id)
    township = case.area_id[:9] + "000"
    tz = world.users[f"tz-{township[6:9]}"]
    with django_capture_on_commit_callbacks(execute=True):
        case = do_case_action(case, "escalate", staff, {"note": "村调解不成"})
    [note] = inbox_of(tz)
    assert note.kind == Kind.ARRIVED and note.title.startswith("上报工单待处理") and "司法所" in note.text
    with django_capture_on_commit_callbacks(execute=True):
        case = do_case_action(case, "claim", tz, {})
        case = do_case_action(case, "escalate", tz, {"note": "涉及山林权属确权"})
    centre = world.users["county-centre"]
    assert kinds_of(centre) == [Kind.ARRIVED]  # via the dispatch centre
    handler = world.users["county-natural_resources"]
    with django_capture_on_commit_callbacks(execute=True):
        case = do_case_action(case, "dispatch", centre, {})
    assert kinds_of(handler) == [Kind.ARRIVED]
    with django_capture_on_commit_callbacks(execute=True):
        do_case_action(case, "return", handler, {"note": "不属于本部门职责"})
    returned = inbox_of(centre)[-1]
    assert returned.kind == Kind.RETURNED and "不属于本部门职责" in returned.text


def test_supervision_resolution_and_reopening(world, notify_settings, django_capture_on_commit_callbacks):
    resident = world.users["resident-1"]
    village = world.villages[0]
    case = submit(world, village=village, user=resident, reporter_name="", reporter_phone="")
    staff = village_staff(world, case.area_id)
    leader = world.users["leader"]
    case = do_case_action(case, "accept", staff, {"plan": "修路灯"})
    case = do_case_action(case, "dispatch", staff, {})
    case = do_case_action(case, "claim", staff, {})
    with django_capture_on_commit_callbacks(execute=True):
        case = do_case_action(case, "supervise", leader, {"note": "请三日内修好"})
    [note] = inbox_of(staff)
    assert note.kind == Kind.SUPERVISED and "请三日内修好" in note.text and "区委政法委书记" in note.text
    with django_capture_on_commit_callbacks(execute=True):
        case = do_case_action(case, "resolve", staff, {"result": "已修"})
    [told] = inbox_of(resident)
    assert told.kind == Kind.RESOLVED and "请打开工单" in told.text and told.url == f"/cases/{case.number}/"
    with django_capture_on_commit_callbacks(execute=True):
        do_case_action(case, "rate", resident, {"rating": "unsatisfied"})
    assert kinds_of(staff) == [Kind.SUPERVISED, Kind.REOPENED]
    assert "不满意" in inbox_of(staff)[-1].text


def test_nothing_is_told_of_an_event_that_was_rolled_back(world, notify_settings, django_capture_on_commit_callbacks):
    from django.db import transaction

    village = world.villages[-1]
    worker = world.users[f"grid-{village.code}001"]
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                submit(world, village=village, user=worker)
                raise RuntimeError("the caller's transaction fails after the event")
        except RuntimeError:
            pass
    assert Notification.objects.count() == 0


def test_an_event_announced_twice_is_told_once(world, notify_settings, django_capture_on_commit_callbacks):
    from jiceng.cases.models import CaseEvent
    from jiceng.cases.signals import announce

    village = world.villages[-1]
    worker = world.users[f"grid-{village.code}001"]
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(world, village=village, user=worker)
    event = CaseEvent.objects.get(case=case, seq=1)
    announce(event.pk, case.pk, "submit")
    assert Notification.objects.filter(case=case).count() == 1
