"""The case list, case detail and home page show due time, time left and 临期/超期."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from jiceng.cases import sla
from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db


def _handling(world, at):
    case = submit(world, now=at)
    staff = village_staff(world, case.area_id)
    for action, params in (("accept", {"plan": "处理"}), ("dispatch", {}), ("claim", {})):
        case = do_case_action(case, action, staff, params, now=at + timedelta(minutes=5))
    return case


def test_the_list_marks_overdue_and_due_soon_cases(world, client):
    late = _handling(world, datetime(2026, 3, 2, 9, tzinfo=sla.SHANGHAI))
    soon = _handling(world, timezone.now() - timedelta(hours=1))
    Case.objects.filter(pk=soon.pk).update(deadline=sla.add_working_time(timezone.now(), 3600))
    fresh = submit(world)
    client.force_login(village_staff(world, late.area_id))
    page = client.get("/cases/").content.decode()
    rows = {c.number: page.split(c.number, 2)[-1].split("</tr>", 1)[0] for c in (late, soon, fresh)}
    assert 'badge overdue' in rows[late.number] and "2026-03-09 17:30" in rows[late.number]
    assert 'badge due-soon' in rows[soon.number]
    assert 'badge overdue' not in rows[fresh.number] and 'badge due-soon' not in rows[fresh.number]


def test_the_detail_shows_time_left_and_a_paused_clock(world, client):
    case = _handling(world, timezone.now() - timedelta(hours=1))
    staff = village_staff(world, case.area_id)
    client.force_login(staff)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert " left" in page and "Normal" in page  # urgency
    do_case_action(case, "suspend", staff, {"note": "等待材料"})
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "Clock paused" in page


def test_home_shows_the_share_resolved_per_tier(world, client):
    case = _handling(world, timezone.now() - timedelta(hours=2))
    do_case_action(case, "resolve", village_staff(world, case.area_id), {"result": "已修"})
    client.force_login(world.users["leader"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Overview of the cases you can see" in page and 'hx-get="/workbench/overview/"' in page  # loads when opened
    overview = client.get("/workbench/overview/").content.decode()
    assert "Where cases were resolved" in overview and "100%" in overview


def test_the_overview_sends_a_county_wide_share_to_the_dashboard(world, client, monkeypatch):
    from jiceng.cases import filters

    for hours in (2, 3):
        _handling(world, timezone.now() - timedelta(hours=hours))
    monkeypatch.setattr(filters, "COUNT_CAP", 1)
    client.force_login(world.users["leader"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    overview = client.get("/workbench/overview/").content.decode()
    assert "1+" in overview and "See the statistics dashboard" in overview and "%</b>" not in overview


def test_a_resident_has_no_overview(world, client):
    client.force_login(world.users["resident-1"])
    assert client.get("/workbench/overview/").status_code == 404


def test_the_submit_form_sets_the_urgency(world, client):
    village = world.villages[-1]
    client.force_login(village_staff(world, village.code))
    client.post("/cases/new/", {"category": "minsheng-road", "area": village.code, "title": "桥面塌陷", "description": "村口小桥桥面塌陷",
                                "reporter_name": "王建国", "channel": "hotline", "urgency": "critical", "idempotency_key": "k-urgent"})
    case = Case.objects.get(title="桥面塌陷")
    assert case.urgency == "critical"
    assert sla.working_seconds_between(case.created_at, case.deadline) == 3600  # one working hour to accept
