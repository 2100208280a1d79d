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


def test_targets_and_points_pages(world):
    from jiceng.programmes.models import PointsAccount, Reward
    from tests.people.helpers import register

    township = world.townships[0]
    tz = world.users[f"tz-{township.code[6:9]}"]
    client = client_for(tz)
    villages = [v for v in world.villages if v.code.startswith(township.prefix)]
    r = client.post("/programmes/targets/", {"area": township.code, "name": "两癌筛查", "unit": "人", "starts": "2026-01-01", "ends": "2026-12-31",
                                             f"share.{villages[0].code}": "100"})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "两癌筛查" in page and villages[0].name in page
    share_id = client.get(r["Location"]).context["rows"][0].share_id
    client.post(r["Location"], {"share": share_id, "quantity": "40", "reported_on": "2026-03-01"})
    assert client.get(r["Location"]).context["done"] == 40
    person = register(world, village=villages[0], grid=world.grids_by_village[villages[0].code][0])
    client.post("/programmes/points/", {"action": "activity", "name": "清扫", "area": villages[0].code, "on": "2026-03-01", "points": "20"})
    from jiceng.programmes.models import Activity, SignUp

    client.post("/programmes/points/", {"action": "signup", "activity": Activity.objects.get().pk, "person": person.pk})
    client.post("/programmes/points/", {"action": "checkin", "signup": SignUp.objects.get().pk})
    reward = Reward.objects.create(name="毛巾", area=villages[0], cost=30, stock=3)
    page = client.post("/programmes/points/", {"action": "redeem", "reward": reward.pk, "person": person.pk}, follow=True).content.decode()
    assert "积分不足" in page and PointsAccount.objects.get(person=person).balance == 20
