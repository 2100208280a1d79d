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


def test_it_escalates_from_village_to_township_to_county(world):
    case = handling_case(world, category="jiufen-land", fields={"parties": ["李建国", "王志勇"]})
    staff = village_staff(world, case.area_id)
    township_code = case.area_id[:9] + "000"
    case = do_case_action(case, "escalate", staff, {"note": "村调解不成"})
    assert (case.state, case.level) == (State.DISPATCHED, "township")
    assert case.unit == world.unit("judicial_office", township_code)
    tz = world.users[f"tz-{township_code[6:9]}"]
    case = do_case_action(case, "claim", tz, {})
    case = do_case_action(case, "escalate", tz, {"note": "涉及山林权属确权"})
    # the county's dispatch centre takes it and dispatches it to the department the routing names
    assert (case.level, case.state, case.unit) == ("county", State.ACCEPTED, None)
    case = do_case_action(case, "dispatch", world.users["county-centre"], {})
    assert (case.level, case.unit) == ("county", world.unit("natural_resources", world.county.code))
    handler = world.users["county-natural_resources"]
    case = do_case_action(case, "claim", handler, {})
    case = do_case_action(case, "resolve", handler, {"result": "已确权", "fields": {"mediation_result": "调解成功"}})
    assert case.resolved_level == "county" and case.escalation_count == 2
    assert case.fields["mediation_result"] == "调解成功"


def test_a_unit_returns_a_wrong_dispatch_for_re_dispatch(world):
    case = submit(world)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "accept", staff, {"plan": "派单处理"})
    committee = world.unit("village_committee", case.area_id)
    case = do_case_action(case, "dispatch", staff, {"unit_id": committee.pk})
    assert case.unit == committee
    case = do_case_action(case, "return", staff, {"note": "应由上级部门办理"})
    assert case.state == State.ACCEPTED and case.unit is None
    case = do_case_action(case, "dispatch", staff, {})
    assert case.unit == world.unit("village_committee", case.area_id)


def test_suspension_and_an_approved_extension_move_the_deadline(world):
    from datetime import timedelta

    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "suspend", staff, {"note": "等待群众提供照片"})
    assert case.state == State.SUSPENDED
    case = do_case_action(case, "resume", staff, {})
    wanted = case.deadline + timedelta(days=5)
    case = do_case_action(case, "request_extension", staff, {"note": "需要采购配件", "deadline": wanted})
    assert case.pending_extension == wanted and case.deadline < wanted
    case = do_case_action(case, "approve_extension", world.users["leader"], {})
    assert case.deadline == wanted and case.pending_extension is None


def test_a_rejected_extension_keeps_the_deadline(world):
    from datetime import timedelta

    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    before = case.deadline
    case = do_case_action(case, "request_extension", staff, {"note": "需要时间", "deadline": before + timedelta(days=3)})
    case = do_case_action(case, "reject_extension", staff, {"note": "时间充足，按期办结"})
    assert case.deadline == before and case.pending_extension is None


def test_a_leader_supervises_and_owns_a_hard_case(world):
    case = handling_case(world)
    leader = world.users["leader"]
    case = do_case_action(case, "supervise", leader, {"note": "请三日内办结"})
    case = do_case_action(case, "take_ownership", leader, {})
    assert case.supervise_count == 1 and case.owner == leader


def test_a_duplicate_is_merged_into_its_original(world):
    original = submit(world)
    duplicate = submit(world, title="村口路灯坏了")
    staff = village_staff(world, duplicate.area_id)
    duplicate = do_case_action(duplicate, "merge", staff, {"into": original.number})
    assert duplicate.state == State.MERGED and duplicate.merged_into == original.number


def test_a_case_without_a_reachable_reporter_closes_with_a_recorded_waiver(world):
    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "resolve", staff, {"result": "已修"})
    case = do_case_action(case, "waive_rating", staff, {"note": "三次回访电话无人接听"})
    case = do_case_action(case, "close", staff, {})
    assert case.state == State.CLOSED and case.rating == "" and case.rating_waiver == "三次回访电话无人接听"


def test_the_reporter_rates_their_own_case(world):
    resident = world.users["resident-1"]
    case = handling_case(world, user=resident, reporter_name="")
    assert case.reporter == resident
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "resolve", staff, {"result": "已修"})
    case = do_case_action(case, "rate", resident, {"rating": "basic"})
    assert case.rating == "basic"


def test_progress_notes_carry_attachments_into_the_hash_chain(world, settings, django_capture_on_commit_callbacks):
    from jiceng.cases.actions import Upload

    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    photo = Upload("现场.jpg", b"\xff\xd8\xff fake jpeg bytes", "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):  # files are written once the transaction commits
        case = do_case_action(case, "note", staff, {"note": "现场照片"}, uploads=[photo])
    att = case.attachments.get()
    assert case.events.last().payload["attachments"][0]["sha256"] == att.sha256
    assert (settings.MEDIA_ROOT / att.storage_name).read_bytes() == photo.content
