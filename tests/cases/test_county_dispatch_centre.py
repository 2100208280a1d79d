"""The county dispatch centre (区社会治理中心) takes escalations, dispatches them to departments, return-visits and closes them."""

from __future__ import annotations

import pytest

from jiceng.cases.actions import do_case_action
from jiceng.cases.errors import NotPermitted
from jiceng.cases.verify import iter_problems
from tests.api.helpers import client_for, post_json

from .helpers import handling_case, submit, village_staff

pytestmark = pytest.mark.django_db


def _at_township(world):
    case = handling_case(world, category="jiufen-land", fields={"parties": ["李建国", "王志勇"]})
    case = do_case_action(case, "escalate", village_staff(world, case.area_id), {"note": "村调解不成"})
    tz = world.users[f"tz-{case.area_id[6:9]}"]
    return do_case_action(case, "claim", tz, {}), tz


def _act(adapter: str, user, case, action: str, data: dict):
    if adapter == "web":
        r = client_for(user).post(f"/cases/{case.number}/act/{action}/", {**data, "version": case.version})
        assert r.status_code == 302
    else:
        r = post_json(client_for(user), f"/api/v1/cases/{case.number}/{action.replace('_', '-')}", data)
        assert r.status_code == 200, r.content
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_township_escalates_via_the_centre_to_a_department_which_resolves_and_the_centre_closes(world, adapter):
    case, tz = _at_township(world)
    promised = case.promised_at
    case = _act(adapter, tz, case, "escalate", {"note": "涉及山林权属确权"})
    assert (case.level, case.state, case.unit_id) == ("county", "accepted", None)
    assert case.promised_at == promised, "the escalation keeps the date promised to the resident"
    centre = world.users["county-centre"]
    department = world.unit("natural_resources", world.county.code)
    case = _act(adapter, centre, case, "dispatch", {"unit_id": department.pk})
    assert (case.state, case.unit) == ("dispatched", department)
    handler = world.users["county-natural_resources"]
    case = do_case_action(case, "claim", handler, {})
    case = do_case_action(case, "resolve", handler, {"result": "已确权", "fields": {"mediation_result": "调解成功"}})
    case = _act(adapter, centre, case, "rate", {"rating": "satisfied"})  # the return visit
    case = _act(adapter, centre, case, "close", {})
    assert case.state == "closed"
    assert list(iter_problems()) == []


def test_choosing_a_department_goes_straight_to_it(world):
    case, tz = _at_township(world)
    department = world.unit("natural_resources", world.county.code)
    case = do_case_action(case, "escalate", tz, {"note": "直接交自然资源局", "unit_id": department.pk})
    assert (case.state, case.unit) == ("dispatched", department)


def test_choosing_the_centres_own_unit_goes_to_its_dispatch_queue(world):
    case, tz = _at_township(world)
    centre_unit = world.unit("command_center", world.county.code)
    case = do_case_action(case, "escalate", tz, {"note": "交区社会治理中心", "unit_id": centre_unit.pk})
    assert (case.state, case.unit_id) == ("accepted", None)


def test_without_a_centre_escalation_goes_to_the_routed_department(world):
    world.users["county-centre"].__class__.objects.filter(username="county-centre").update(is_active=False)
    case, tz = _at_township(world)
    case = do_case_action(case, "escalate", tz, {"note": "涉及山林权属确权"})
    assert (case.state, case.unit) == ("dispatched", world.unit("natural_resources", world.county.code))


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_the_centre_leaves_village_cases_to_the_village(world, adapter):
    case = submit(world)
    centre = world.users["county-centre"]
    if adapter == "rest":
        r = post_json(client_for(centre), f"/api/v1/cases/{case.number}/accept", {"plan": "中心代为受理"})
        assert r.status_code == 403
        assert client_for(centre).get(f"/api/v1/cases/{case.number}").json()["allowed_actions"] == []
    else:
        client_for(centre).post(f"/cases/{case.number}/act/accept/", {"plan": "中心代为受理", "version": case.version})
    case.refresh_from_db()
    assert case.state == "submitted"
    with pytest.raises(NotPermitted):
        do_case_action(case, "accept", centre, {"plan": "中心代为受理"})
