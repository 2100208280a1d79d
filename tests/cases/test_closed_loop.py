"""The whole loop: 点单 → 定单 → 派单 → 办理 → 办结 → 评单 → 销号."""

from __future__ import annotations

import pytest

from jiceng.cases.actions import do_case_action
from jiceng.cases.states import State

from .helpers import handling_case, submit, village_staff

pytestmark = pytest.mark.django_db


def test_it_runs_the_loop_from_submission_to_closure(world):
    case = submit(world)
    assert case.state == State.SUBMITTED
    assert case.number.startswith(f"{case.created_at.year}-431102-")
    staff = village_staff(world, case.area_id)

    case = do_case_action(case, "accept", staff, {"plan": "三天内更换灯泡"})
    assert case.state == State.ACCEPTED and case.deadline is not None and case.plan == "三天内更换灯泡"
    case = do_case_action(case, "dispatch", staff, {})
    assert case.state == State.DISPATCHED
    assert case.unit == world.unit("village_committee", case.area_id)  # routing suggested the village committee
    case = do_case_action(case, "claim", staff, {})
    case = do_case_action(case, "note", staff, {"note": "已联系电工"})
    case = do_case_action(case, "resolve", staff, {"result": "已更换三盏路灯"})
    assert case.state == State.RESOLVED and case.resolved_level == "village"
    case = do_case_action(case, "rate", staff, {"rating": "satisfied"})
    assert case.state == State.RATED
    case = do_case_action(case, "close", staff, {})
    assert case.state == State.CLOSED
    assert [e.action for e in case.events.all()] == ["submit", "accept", "dispatch", "claim", "note", "resolve", "rate", "close"]
    assert case.version == 8


def test_it_refuses_with_a_reason(world):
    case = submit(world)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "refuse", staff, {"note": "不属于受理范围"})
    assert case.state == State.REFUSED
    assert case.events.last().note == "不属于受理范围"


def test_first_unsatisfied_rating_reopens_then_a_supervisor_decides(world):
    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    leader = world.users["leader"]
    case = do_case_action(case, "resolve", staff, {"result": "已修"})
    case = do_case_action(case, "rate", staff, {"rating": "unsatisfied"})
    assert case.state == State.HANDLING and case.reopen_count == 1
    case = do_case_action(case, "resolve", staff, {"result": "重新修好"})
    case = do_case_action(case, "rate", staff, {"rating": "unsatisfied"})
    assert case.state == State.DISPUTED
    case = do_case_action(case, "decide", leader, {"decision": "uphold", "note": "已按标准处理"})
    assert case.state == State.RATED and case.rating == "unsatisfied"
    case = do_case_action(case, "close", leader, {})
    assert case.state == State.CLOSED
