"""The case page's record says who did what and what was decided, and whether the chain still holds."""

from __future__ import annotations

import pytest

from jiceng.cases.actions import do_case_action
from jiceng.cases.models import CaseEvent
from tests.api.helpers import client_for

from .helpers import handling_case, village_staff

pytestmark = pytest.mark.django_db


def _reopened_and_closed(world):
    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "resolve", staff, {"result": "已更换灯泡"})
    case = do_case_action(case, "rate", staff, {"rating": "unsatisfied"})
    case = do_case_action(case, "resolve", staff, {"result": "更换了整组线路"})
    case = do_case_action(case, "rate", staff, {"rating": "satisfied"})
    return do_case_action(case, "close", staff, {}), staff


def test_the_record_names_the_plan_the_unit_the_ratings_and_the_reopening(world):
    case, staff = _reopened_and_closed(world)
    page = client_for(staff).get(f"/cases/{case.number}/").content.decode()
    record = page[page.index('class="record"'):]
    for text in ("三天内更换灯泡", case.unit.name, "不满意，重新办理", "满意", "更换了整组线路", "销号"):
        assert text in record, text
    assert record.index("不满意，重新办理") < record.index("更换了整组线路")
    assert "记录完整" in page and case.last_hash in page


def test_a_rewritten_event_shows_as_a_problem_on_the_page(world):
    case, staff = _reopened_and_closed(world)
    CaseEvent.objects.filter(case=case, action="resolve").update(note="改过的记录")
    page = client_for(staff).get(f"/cases/{case.number}/").content.decode()
    assert "发现 1 处问题" in page and "记录完整" not in page
