"""Each access rule of issue 9, asked through every adapter that reaches it: web, REST, Open311, alerts.

The expected answers are written out by hand from the rules (docs/access.md),
not computed by the code under test; each row would have passed before the
rule moved into the domain for at least one adapter.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from jiceng.api.keys import do_create_api_key
from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case
from tests.api.helpers import client_for, key_client, post_json
from tests.triage.helpers import register_devices

from .helpers import submit, village_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(world):
    t1, t2 = world.townships
    a = next(v for v in world.villages if v.code.startswith(t1.code[:9]))
    b = next(v for v in world.villages if v.code.startswith(t2.code[:9]))
    return {"t1": t1, "t2": t2, "a": a, "b": b}


# --- submit scope: a village files in its own village only --------------------------

def _web_submit(client, village, category="minsheng-road"):
    return client.post("/cases/new/", {"category": category, "area": village.code, "title": "路灯不亮", "description": "村口路灯坏了",
                                       "reporter_name": "张三明", "channel": "web", "urgency": "normal"})


def _rest_submit(client, village, category="minsheng-road"):
    return post_json(client, "/api/v1/cases", {"category": category, "area": village.code, "title": "路灯不亮", "description": "村口路灯坏了",
                                               "reporter_name": "张三明"})


def _open311_submit(raw_key, village, category="minsheng-road"):
    return Client(HTTP_HOST="localhost").post("/open311/v2/requests.json", {
        "api_key": raw_key, "service_code": category, "address_id": village.code, "description": "村口路灯坏了", "last_name": "张", "first_name": "三明"})


@pytest.mark.parametrize("adapter", ["web", "rest", "open311"])
def test_a_village_cannot_file_a_case_in_another_township(world, places, adapter):
    staff = village_staff(world, places["a"].code)
    if adapter == "web":
        r = _web_submit(client_for(staff), places["b"])
        assert r.status_code == 400  # the village of another township is not even offered
    elif adapter == "rest":
        r = _rest_submit(client_for(staff), places["b"])
        assert r.status_code == 403 and r.json()["field"] == "area"
    else:
        _key, raw = do_create_api_key("village-a-hotline", area_code=places["a"].code)
        r = _open311_submit(raw, places["b"])
        assert r.status_code == 403 and r.json()[0]["code"] == 403
    assert not Case.objects.exists()


@pytest.mark.parametrize("adapter", ["web", "rest", "open311"])
def test_the_same_user_files_in_their_own_village(world, places, adapter):
    staff = village_staff(world, places["a"].code)
    if adapter == "web":
        r = _web_submit(client_for(staff), places["a"])
        assert r.status_code == 302
    elif adapter == "rest":
        assert _rest_submit(client_for(staff), places["a"]).status_code == 201
    else:
        _key, raw = do_create_api_key("village-a-hotline", area_code=places["a"].code)
        assert _open311_submit(raw, places["a"]).status_code == 200
    assert Case.objects.get().area_id == places["a"].code


@pytest.mark.parametrize("adapter", ["web", "rest", "open311", "alerts"])
def test_a_parent_category_is_refused_everywhere(world, places, adapter):
    staff = village_staff(world, places["a"].code)
    if adapter == "web":
        assert _web_submit(client_for(staff), places["a"], category="minsheng").status_code == 400
    elif adapter == "rest":
        r = _rest_submit(client_for(staff), places["a"], category="minsheng")
        assert r.status_code == 400 and r.json()["field"] == "category"
    elif adapter == "open311":
        _key, raw = do_create_api_key("hotline", area_code=places["a"].code)
        assert _open311_submit(raw, places["a"], category="minsheng").status_code in (400, 404)
    else:
        register_devices(world, "CAM-9", village=places["a"])
        cameras, _ = key_client("cameras", area_code=places["a"].code)
        r = post_json(cameras, "/api/v1/alerts", {"category": "yujing", "device_id": "CAM-9", "alert_type": "攀爬", "title": "攀爬预警",
                                                  "description": "有人攀爬", "at": timezone.now().isoformat()})
        assert r.status_code == 400 and r.json()["field"] == "category"
    assert not Case.objects.exists()


# --- dispatch and escalation go only to units that serve the case's place -------------

def _accepted(world, village):
    case = submit(world, village=village)
    return do_case_action(case, "accept", village_staff(world, village.code), {"plan": "派单处理"})


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_case_cannot_be_dispatched_to_another_townships_village_committee(world, places, adapter):
    case = _accepted(world, places["a"])
    staff = village_staff(world, places["a"].code)
    foreign = world.unit("village_committee", places["b"].code)
    if adapter == "web":
        client_for(staff).post(f"/cases/{case.number}/act/dispatch/", {"unit_id": foreign.pk, "version": case.version})
    else:
        r = post_json(client_for(staff), f"/api/v1/cases/{case.number}/dispatch", {"unit_id": foreign.pk})
        assert r.status_code == 400 and r.json()["field"] == "unit_id"
    case.refresh_from_db()
    assert case.state == "accepted" and case.unit_id is None


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_case_cannot_be_escalated_to_another_townships_office(world, places, adapter):
    case = _accepted(world, places["a"])
    staff = village_staff(world, places["a"].code)
    foreign = world.unit("township_office", places["t2"].code)
    if adapter == "web":
        client_for(staff).post(f"/cases/{case.number}/act/escalate/", {"unit_id": foreign.pk, "note": "村级无法解决", "version": case.version})
    else:
        r = post_json(client_for(staff), f"/api/v1/cases/{case.number}/escalate", {"unit_id": foreign.pk, "note": "村级无法解决"})
        assert r.status_code == 400 and r.json()["field"] == "unit_id"
    case.refresh_from_db()
    assert case.level == "village" and case.unit_id is None
    # the other township's staff still cannot open it
    assert client_for(world.users[f"tz-{places['t2'].code[6:9]}"]).get(f"/api/v1/cases/{case.number}").status_code == 404


def test_the_own_township_office_is_offered_and_accepted(world, places):
    case = _accepted(world, places["a"])
    staff = village_staff(world, places["a"].code)
    own = world.unit("township_office", places["t1"].code)
    r = post_json(client_for(staff), f"/api/v1/cases/{case.number}/escalate", {"unit_id": own.pk, "note": "村级无法解决"})
    assert r.status_code == 200 and r.json()["unit"]["id"] == own.pk
    page = client_for(staff).get(f"/cases/{case.number}/").content.decode()
    assert world.unit("township_office", places["t2"].code).name not in page


# --- the anonymous public sees public categories and public fields only ---------------

def test_anonymous_open311_lists_only_public_categories_without_free_text(world, places):
    road = submit(world, village=places["a"], description="王建国家门口的路灯坏了，电话13812345678")
    petition = submit(world, category="xinfang-visit", village=places["a"], description="上访人反映补偿款问题", fields={"petitioners": 1})
    staff = village_staff(world, places["a"].code)
    road = do_case_action(road, "accept", staff, {"plan": "更换灯泡"})
    road = do_case_action(road, "dispatch", staff, {})
    road = do_case_action(road, "claim", staff, {})
    road = do_case_action(road, "resolve", staff, {"result": "已联系王建国（身份证431102199001011234）更换"})
    anon = Client(HTTP_HOST="localhost")
    listed = anon.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [road.number]
    body = str(listed)
    for secret in ("王建国", "13812345678", "431102199001011234", "补偿款"):
        assert secret not in body
    assert listed[0]["status"] == "closed" and listed[0]["description"] == "" and listed[0]["address"] == places["a"].name
    assert anon.get(f"/open311/v2/requests/{petition.number}.json").status_code == 404


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_a_petition_is_tracked_only_with_its_query_code(world, places, adapter):
    petition = submit(world, category="xinfang-visit", village=places["a"], fields={"petitioners": 2})
    anon = Client(HTTP_HOST="localhost")

    def look(code):
        if adapter == "web":
            page = anon.get("/track/", {"number": petition.number, "code": code}).content.decode()
            return "timeline" in page
        return anon.get(f"/api/v1/public/cases/{petition.number}", {"code": code}).status_code == 200

    assert not look("")
    assert not look("WRONGCODE")
    assert look(petition.query_code)
    assert look(petition.query_code.lower())


def test_public_lookups_are_rate_limited(world, places, settings):
    settings.PUBLIC_TRACK_RATE = "3/m"
    road = submit(world, village=places["a"])
    anon = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.9.9.9")
    codes = [anon.get(f"/api/v1/public/cases/{road.number}").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


# --- alerts: only integration keys, only registered devices in the key's area ---------

def _alert_body(device="CAM-T2"):
    return {"category": "yujing-campus", "device_id": device, "alert_type": "攀爬", "title": "攀爬预警", "description": "有人攀爬围墙",
            "at": timezone.now().isoformat(), "fields": {"school": "第二中学"}}


@pytest.mark.parametrize("who", ["resident", "auditor", "village_staff", "key_of_township_1"])
def test_nobody_joins_another_townships_camera_series(world, places, who):
    register_devices(world, "CAM-T2", village=places["b"])
    owner, _ = key_client("t2-cameras", area_code=places["t2"].code)
    first = post_json(owner, "/api/v1/alerts", _alert_body())
    assert first.status_code == 201
    client = {
        "resident": lambda: client_for(world.users["resident-1"]),
        "auditor": lambda: client_for(world.users["auditor"]),
        "village_staff": lambda: client_for(village_staff(world, places["a"].code)),
        "key_of_township_1": lambda: key_client("t1-cameras", area_code=places["t1"].code)[0],
    }[who]()
    r = post_json(client, "/api/v1/alerts", _alert_body())
    assert r.status_code == 403
    assert first.json()["case"]["number"] not in r.content.decode() and "攀爬" not in r.content.decode()
    assert Case.objects.get().alert_series.count == 1


def test_an_alert_of_an_unknown_device_waits_for_staff_then_opens_its_case(world, places):
    from jiceng.triage.models import QueuedAlert

    cameras, _ = key_client("t1-cameras", area_code=places["t1"].code)
    r = post_json(cameras, "/api/v1/alerts", _alert_body("CAM-NEW"))
    assert r.status_code == 202 and r.json()["queued"] is True and r.json()["case"] is None
    assert not Case.objects.exists() and QueuedAlert.objects.get().status == "waiting"
    admin = client_for(world.users["admin"])
    reg = post_json(admin, "/api/v1/devices", {"device_id": "CAM-NEW", "name": "一中东门", "area": places["a"].code, "site": "东门"})
    assert reg.status_code == 201 and reg.json()["taken_in"] == 1
    case = Case.objects.get()
    assert case.area_id == places["a"].code and QueuedAlert.objects.get().case_id == case.pk


def test_only_administrators_register_devices(world, places):
    r = post_json(client_for(world.users["leader"]), "/api/v1/devices", {"device_id": "X1", "name": "x", "area": places["a"].code})
    assert r.status_code == 403
