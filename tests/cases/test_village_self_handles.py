"""自办: a village that handles a matter itself accepts and handles it in one recorded step — through the web and REST."""

from __future__ import annotations

import pytest

from jiceng.cases.actions import do_case_action
from jiceng.cases.errors import NotPermitted, TransitionNotAllowed
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.verify import iter_problems
from tests.api.helpers import client_for, post_json

from .helpers import submit, village_staff

pytestmark = pytest.mark.django_db


def _self_handle(adapter: str, user, case: Case, plan: str = "村委会当天组织更换灯泡"):
    if adapter == "web":
        return client_for(user).post(f"/cases/{case.number}/act/self_handle/", {"plan": plan, "version": case.version})
    return post_json(client_for(user), f"/api/v1/cases/{case.number}/self-handle", {"plan": plan})


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_the_village_accepts_and_handles_at_once(world, adapter):
    case = submit(world)
    staff = village_staff(world, case.area_id)
    r = _self_handle(adapter, staff, case)
    assert r.status_code in (200, 302)
    case.refresh_from_db()
    assert case.state == "handling" and case.unit == world.unit("village_committee", case.area_id)
    assert case.plan == "村委会当天组织更换灯泡" and case.deadline is not None
    assert case.promised_at == case.deadline, "the resident is promised the village's own deadline"
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["submit", "self_handle"]
    assert list(iter_problems()) == []
    # handled in the village: the staff can resolve straight away
    case = do_case_action(case, "resolve", staff, {"result": "已更换"})
    assert case.state == "resolved" and case.resolved_level == "village"


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_another_villages_staff_cannot_self_handle(world, adapter):
    case = submit(world)
    other = next(v for v in world.villages if v.code != case.area_id)
    r = _self_handle(adapter, village_staff(world, other.code), case)
    if adapter == "rest":
        assert r.status_code == 404  # not even visible to them
    case.refresh_from_db()
    assert case.state == "submitted" and case.event_count == 1


def test_township_staff_dispatch_but_do_not_self_handle_a_village_matter(world):
    case = submit(world)
    tz = world.users[f"tz-{case.area_id[6:9]}"]
    r = post_json(client_for(tz), f"/api/v1/cases/{case.number}/self-handle", {"plan": "乡镇代办"})
    assert r.status_code == 403
    assert "self_handle" not in client_for(tz).get(f"/api/v1/cases/{case.number}").json()["allowed_actions"]
    assert "self_handle" in client_for(village_staff(world, case.area_id)).get(f"/api/v1/cases/{case.number}").json()["allowed_actions"]


def test_a_matter_starting_at_township_tier_is_not_self_handled(world):
    case = submit(world, category="jiufen-land", fields={"parties": ["甲", "乙"]})
    case.level = "township"
    Case.objects.filter(pk=case.pk).update(level="township")  # as a category starting at township would
    staff = village_staff(world, case.area_id)
    with pytest.raises((TransitionNotAllowed, NotPermitted)):
        do_case_action(case, "self_handle", staff, {"plan": "自办"})


def test_a_plan_is_required_and_named_in_chinese(world):
    case = submit(world)
    r = post_json(client_for(village_staff(world, case.area_id)), f"/api/v1/cases/{case.number}/self-handle", {"plan": " "})
    assert r.status_code == 400 and r.json()["field"] == "plan"
    case.refresh_from_db()
    assert case.state == "submitted"
