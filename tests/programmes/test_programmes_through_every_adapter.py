"""Pairing limits, overdue visits and a finding → case through the web pages and the REST API."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jiceng.programmes.models import PlanKind, Visit
from jiceng.programmes.visits import PlanInput, do_create_plan

from tests.api.helpers import client_for

from .helpers import household, staff_of


def test_pairing_limit_on_web_and_rest(world):
    staff = staff_of(world)
    homes = [household(world) for _ in range(4)]
    api, web = client_for(staff), client_for(staff)
    for h in homes[:2]:
        r = api.post("/api/v1/programmes/pairings", {"helper": "resident-6", "household": h.pk}, content_type="application/json")
        assert r.status_code == 201 and [d["duty"] for d in r.json()["duties"]][0] == "守法"
    web.post("/programmes/pairings/", {"scheme": "party-member", "helper": "resident-6", "household": homes[2].pk})
    r = api.post("/api/v1/programmes/pairings", {"helper": "resident-6", "household": homes[3].pk}, content_type="application/json")
    assert r.status_code == 409 and "上限" in r.json()["message"]
    page = web.post("/programmes/pairings/", {"scheme": "party-member", "helper": "resident-6", "household": homes[3].pk}, follow=True)
    assert "上限" in page.content.decode()


def test_overdue_visits_on_the_workers_page_and_rest(world):
    village = world.villages[-1]
    do_create_plan(staff_of(world), PlanInput("农田巡查", PlanKind.PATROL, village, starts=timezone.localdate() - dt.timedelta(days=9),
                                              interval_days=7))
    worker = world.grids_by_village[village.code][0].workers.first()
    client = client_for(worker)
    rows = client.get("/api/v1/programmes/overdue").json()
    assert len(rows) == 1 and rows[0]["days_overdue"] == 2
    page = client.get("/programmes/mine/").content.decode()
    assert "农田巡查" in page and "已逾期 2 天" in page
    r = client.post(f"/api/v1/programmes/targets/{rows[0]['id']}/visits", {"findings": "田埂塌方一处", "needs_action": True, "lat": 26.4,
                                                                           "lon": 111.6}, content_type="application/json")
    assert r.status_code == 201 and r.json()["next_due"] == (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    assert client.get("/api/v1/programmes/overdue").json() == []
    r = client.post(f"/api/v1/programmes/visits/{r.json()['id']}/case", {"category": "minsheng-assistance"}, content_type="application/json")
    assert r.status_code == 201, r.json()
    assert r.json()["number"]


def test_visit_form_and_one_step_case_on_the_web(world):
    h = household(world, monitored=True)
    plan = do_create_plan(staff_of(world), PlanInput("月访", PlanKind.VISIT, world.villages[-1], starts=timezone.localdate(), interval_days=30))
    target = plan.targets.get(household=h)
    client = client_for(target.assignee)
    r = client.post(f"/programmes/targets/{target.pk}/visit/", {"findings": "", "needs_action": "1"})
    assert "需要处置时请填写发现情况" in r.content.decode()
    r = client.post(f"/programmes/targets/{target.pk}/visit/", {"findings": "老人咳嗽多日未就医", "needs_action": "1", "lat": "26.1", "lon": "111.6"})
    visit = Visit.objects.get(target=target)
    assert r.status_code == 302 and r["Location"] == f"/programmes/visits/{visit.pk}/"
    assert "转为工单" in client.get(r["Location"]).content.decode()
    r = client.post(f"/programmes/visits/{visit.pk}/case/", {"category": "minsheng-medical"})
    visit.refresh_from_db()
    assert visit.case is not None and r["Location"] == f"/cases/{visit.case.number}/"


def test_manager_pages_and_exports_answer(world):
    from openpyxl import load_workbook
    import io

    household(world, monitored=True)
    client = client_for(staff_of(world))
    for url in ("/programmes/", "/programmes/pairings/", "/programmes/unpaired/", "/programmes/plans/", "/programmes/overdue/",
                "/programmes/visits/", "/programmes/monitoring/", "/people/", "/people/households/", "/people/tags/?kind=dibao"):
        assert client.get(url).status_code == 200, url
    for url in ("/programmes/unpaired/?export=xlsx", "/programmes/monitoring/?export=xlsx", "/people/?export=xlsx"):
        r = client.get(url)
        sheet = load_workbook(io.BytesIO(r.content)).active
        assert sheet.max_row >= 2, url
    assert client_for(world.users["resident-1"]).get("/programmes/").status_code == 403
