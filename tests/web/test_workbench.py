"""The workbench (我的待办) through the web page and the REST API: the same queues, counts and bulk rules."""

from __future__ import annotations

import re
from datetime import datetime, timezone as tz

import pytest

from jiceng.cases import workbench
from jiceng.cases.actions import do_case_action
from jiceng.demo.cases import generate_cases
from tests.api.helpers import client_for, post_json
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db


def _counts(adapter: str, user) -> dict[str, int]:
    client = client_for(user)
    if adapter == "rest":
        r = client.get("/api/v1/workbench")
        assert r.status_code == 200, r.content
        return {q["key"]: q["count"] for q in r.json()}
    page = client.get("/").content.decode()
    return {key: int(n) for key, n in re.findall(r'href="\?tab=(\w+)" class="wb-tab[^"]*"[^>]*>[^<]*<b>(\d+)</b>', page)}


def _numbers(adapter: str, user, key: str) -> list[str]:
    client = client_for(user)
    if adapter == "rest":
        r = client.get(f"/api/v1/workbench/{key}")
        assert r.status_code == 200, r.content
        return [c["number"] for c in r.json()["items"]]
    page = client.get(f"/?tab={key}").content.decode()
    return re.findall(r'href="/cases/([^/]+)/"><b>', page)


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_it_shows_a_village_its_new_case_to_accept_and_not_to_the_neighbour(world, adapter):
    case = submit(world)
    staff = village_staff(world, case.area_id)
    assert _counts(adapter, staff)["accept"] == 1
    assert _numbers(adapter, staff, "accept") == [case.number]
    neighbour = next(v for v in world.villages if v.code != case.area_id)
    assert _counts(adapter, village_staff(world, neighbour.code))["accept"] == 0


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_it_moves_the_case_along_the_queues_as_the_loop_runs(world, adapter):
    case = submit(world)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "accept", staff, {"plan": "更换灯泡"})
    assert _numbers(adapter, staff, "dispatch") == [case.number] and _counts(adapter, staff)["accept"] == 0
    case = do_case_action(case, "dispatch", staff, {})
    assert _numbers(adapter, staff, "claim") == [case.number]
    case = do_case_action(case, "claim", staff, {})
    assert _numbers(adapter, staff, "handle") == [case.number]


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_it_signs_for_several_cases_at_once_and_names_each_refusal(world, adapter):
    village = world.villages[-1]
    staff = village_staff(world, village.code)
    numbers = []
    for i in range(3):
        case = submit(world, village=village, title=f"路灯不亮 {i}")
        case = do_case_action(case, "accept", staff, {"plan": "更换"})
        numbers.append(do_case_action(case, "dispatch", staff, {}).number)
    stranger = submit(world, village=world.villages[0]).number  # another village's case: not visible
    client = client_for(staff)
    if adapter == "rest":
        r = post_json(client, "/api/v1/workbench/bulk", {"action": "claim", "numbers": numbers + [stranger]})
        assert r.status_code == 200, r.content
        assert r.json()["done"] == numbers and [f["number"] for f in r.json()["failed"]] == [stranger]
    else:
        r = client.post("/workbench/bulk/", {"action": "claim", "tab": "claim", "numbers": numbers + [stranger]}, follow=True)
        page = r.content.decode()
        assert "已办理 3 件" in page and f"{stranger} 未办理" in page
    assert _counts(adapter, staff)["claim"] == 0 and _counts(adapter, staff)["handle"] == 3


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_it_refuses_a_bulk_action_that_asks_for_input(world, adapter):
    case = submit(world)
    staff = village_staff(world, case.area_id)
    client = client_for(staff)
    if adapter == "rest":
        r = post_json(client, "/api/v1/workbench/bulk", {"action": "accept", "numbers": [case.number]})
        assert r.status_code in (400, 422)
    else:
        page = client.post("/workbench/bulk/", {"action": "accept", "numbers": [case.number]}, follow=True).content.decode()
        assert "不能批量办理" in page
    case.refresh_from_db()
    assert case.state == "submitted"


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_resident_sees_their_requests_and_what_waits_for_their_rating(world, adapter):
    resident = world.users["resident-1"]
    case = submit(world, user=resident, reporter_name="", reporter_phone="")
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "self_handle", staff, {"plan": "村里自办"})
    assert _numbers(adapter, resident, "mine") == [case.number] and _counts(adapter, resident)["rate"] == 0
    case = do_case_action(case, "resolve", staff, {"result": "已修好"})
    assert _numbers(adapter, resident, "rate") == [case.number]
    assert set(_counts(adapter, resident)) == {"rate", "mine"}


def test_pages_run_soonest_deadline_first_without_gaps_or_repeats(world):
    generate_cases(world, 300, seed=9, now=datetime(2026, 10, 20, tzinfo=tz.utc))
    admin = world.users["admin"]
    _queue, qs = workbench.queue_of(admin, "overdue")
    _queue, qs = workbench.queue_of(admin, "handle")
    expected = list(workbench.ordered(qs).values_list("pk", flat=True))
    assert len(expected) > 14
    seen, cursor = [], ""
    while True:
        rows, cursor = workbench.page(qs, cursor, size=7)
        seen += [c.pk for c in rows]
        if cursor is None:
            break
    assert seen == expected
    deadlines = [d for d in workbench.ordered(qs).values_list("deadline", flat=True)]
    known = [d for d in deadlines if d is not None]
    assert known == sorted(known) and deadlines[: len(known)] == known, "soonest first, cases without a deadline last"
