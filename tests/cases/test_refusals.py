"""Every illegal path is refused clearly and changes nothing."""

from __future__ import annotations

import pytest

from jiceng.cases.actions import Upload, do_case_action
from jiceng.cases.errors import InvalidInput, NotPermitted, TransitionNotAllowed
from jiceng.cases.models import Case

from .helpers import handling_case, submit, village_staff

pytestmark = pytest.mark.django_db


def _unchanged(case: Case) -> None:
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.version, fresh.event_count, fresh.state, fresh.last_hash) == (case.version, case.event_count, case.state, case.last_hash)
    assert fresh.events.count() == case.event_count


def test_it_names_the_state_and_the_action_it_refuses(world):
    case = submit(world)
    staff = village_staff(world, case.area_id)
    with pytest.raises(TransitionNotAllowed) as err:
        do_case_action(case, "resolve", staff, {"result": "已修"})
    assert "待受理" in err.value.message and "办结" in err.value.message
    _unchanged(case)


def test_it_refuses_a_resident_who_tries_to_dispatch(world):
    case = submit(world)
    with pytest.raises(NotPermitted):
        do_case_action(case, "accept", world.users["resident-2"], {"plan": "自己定"})
    _unchanged(case)


def test_it_refuses_staff_of_another_village(world):
    case = submit(world)
    other = village_staff(world, world.villages[0].code)
    with pytest.raises(NotPermitted):
        do_case_action(case, "accept", other, {"plan": "越权受理"})
    _unchanged(case)


def test_it_refuses_an_auditor_any_action(world):
    case = handling_case(world)
    with pytest.raises(NotPermitted):
        do_case_action(case, "supervise", world.users["auditor"], {"note": "督办"})
    _unchanged(case)


def test_it_refuses_a_handler_outside_the_dispatched_unit(world):
    case = handling_case(world)
    with pytest.raises(NotPermitted):
        do_case_action(case, "resolve", world.users["county-civil_affairs"], {"result": "越权办结"})
    _unchanged(case)


def test_it_requires_a_reason_to_refuse(world):
    case = submit(world)
    with pytest.raises(InvalidInput) as err:
        do_case_action(case, "refuse", village_staff(world, case.area_id), {"note": "  "})
    assert err.value.field == "note"
    _unchanged(case)


def test_it_refuses_to_escalate_beyond_the_county(world):
    case = submit(world, category="qiye-finance", fields={"enterprise_name": "永州恒达电子科技有限公司"})
    assert case.level == "county"  # enterprise requests start at the county's service centre
    leader = world.users["leader"]
    case = do_case_action(case, "accept", leader, {"plan": "对接金融机构"})
    case = do_case_action(case, "dispatch", leader, {})
    case = do_case_action(case, "claim", world.users["county-business_service"], {})
    with pytest.raises(TransitionNotAllowed, match="最高"):
        do_case_action(case, "escalate", world.users["county-business_service"], {"note": "再上报"})
    _unchanged(case)


def test_it_refuses_a_unit_of_the_wrong_tier(world):
    case = submit(world)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "accept", staff, {"plan": "处理"})
    county_unit = world.unit("transport", world.county.code)
    with pytest.raises(InvalidInput) as err:
        do_case_action(case, "dispatch", staff, {"unit_id": county_unit.pk})
    assert err.value.field == "unit_id"
    _unchanged(case)


def test_it_refuses_to_resolve_a_dispute_without_a_mediation_result(world):
    case = handling_case(world, category="jiufen-neighbour", fields={"parties": ["甲", "乙"]})
    with pytest.raises(InvalidInput) as err:
        do_case_action(case, "resolve", village_staff(world, case.area_id), {"result": "已调解"})
    assert err.value.field == "fields.mediation_result"
    _unchanged(case)


def test_it_refuses_an_unknown_action(world):
    case = submit(world)
    with pytest.raises(InvalidInput):
        do_case_action(case, "teleport", world.users["admin"], {})
    _unchanged(case)


def test_it_refuses_an_attachment_of_a_forbidden_type_and_stores_nothing(world, settings):
    case = handling_case(world)
    with pytest.raises(InvalidInput) as err:
        do_case_action(case, "note", village_staff(world, case.area_id), {"note": "附件"}, uploads=[Upload("a.exe", b"MZ", "application/x-msdownload")])
    assert err.value.field == "files"
    _unchanged(case)
    assert not case.attachments.exists()


def test_it_refuses_merging_into_itself(world):
    case = submit(world)
    with pytest.raises(InvalidInput):
        do_case_action(case, "merge", village_staff(world, case.area_id), {"into": case.number})
    _unchanged(case)
