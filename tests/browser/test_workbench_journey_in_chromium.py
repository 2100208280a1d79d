"""From the workbench only, by clicks in Chromium: a township escalates a dispute to the county, the dispatch
centre dispatches it to a department, the department signs for it in bulk and resolves it, the centre
return-visits it and closes it in bulk. Nobody types a URL after logging in."""

from __future__ import annotations

import pytest

from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case
from jiceng.cases.verify import iter_problems
from tests.cases.helpers import handling_case, village_staff

from .conftest import PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


def _open_from_workbench(page, tab_label: str, number: str) -> None:
    page.click(f".wb-tab:has-text('{tab_label}')")
    page.click(f".wb-row:has-text('{number}') a")
    page.wait_for_selector("h2:has-text('可办理的操作')")


def _act(page, action_label: str, fill: dict | None = None, select: dict | None = None) -> None:
    page.click(f".c-actions summary:has-text('{action_label}')")
    for name, value in (fill or {}).items():
        page.fill(f'details[open] [name="{name}"]', value)
    for name, label in (select or {}).items():
        page.select_option(f'details[open] select[name="{name}"]', label=label)
    page.click("details[open] button[type=submit]")
    page.wait_for_selector(".msg.success")


def _home(page) -> None:
    page.click("header a.brand")


def test_a_dispute_travels_to_a_county_department_and_back_by_workbench_clicks(world, live_server, chromium):
    case = handling_case(world, category="jiufen-land", fields={"parties": ["李建国", "王志勇"]})
    case = do_case_action(case, "escalate", village_staff(world, case.area_id), {"note": "村调解不成"})
    tz = world.users[f"tz-{case.area_id[6:9]}"]
    case = do_case_action(case, "claim", tz, {})
    department = world.unit("natural_resources", world.county.code)

    page = chromium.new_page()
    login(page, live_server.url, tz)  # the township: the case is in its 办理中 list
    _open_from_workbench(page, "办理中", case.number)
    _act(page, "上报", fill={"note": "涉及山林权属确权"})

    page = chromium.new_page(**PHONE)  # the dispatch centre works on a phone here
    login(page, live_server.url, world.users["county-centre"])
    _open_from_workbench(page, "待派单", case.number)
    _act(page, "派单", select={"unit_id": department.name})

    handler = world.users["county-natural_resources"]
    page = chromium.new_page()
    login(page, live_server.url, handler)
    page.click(".wb-tab:has-text('待签收')")
    page.check(f".wb-row:has-text('{case.number}') input[name=numbers]")
    page.click("button:has-text('签收所选案件')")
    page.wait_for_selector(".msg.success")
    _open_from_workbench(page, "办理中", case.number)
    _act(page, "办结", fill={"result": "已确权，双方签字"}, select={"fields.mediation_result": "调解成功"})

    page = chromium.new_page()
    login(page, live_server.url, world.users["county-centre"])
    _open_from_workbench(page, "待回访", case.number)
    _act(page, "评单", select={"rating": "满意"})
    _home(page)
    page.click(".wb-tab:has-text('待销号')")
    page.check("[data-check-all]")
    page.click("button:has-text('销号所选案件')")
    page.wait_for_selector(".msg.success")

    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.unit, case.rating) == ("closed", department, "satisfied")
    assert list(iter_problems(Case.objects.filter(pk=case.pk))) == []
