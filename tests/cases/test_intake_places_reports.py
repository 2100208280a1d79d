"""Intake places a report by code, point or words — or keeps it for a dispatcher (待定位), never refusing it.

Through every adapter that takes reports with a place: Open311 (as an unmodified
FixMyStreet-style client posts), REST, and the dispatcher's web page.
"""

from __future__ import annotations

import pytest
from coordTransform import wgs84_to_gcj02  # the converter pinned beside the geography
from django.test import Client

from jiceng.api.keys import do_create_api_key
from jiceng.areas.models import Landmark
from jiceng.cases.models import Case, UnlocatedReport
from tests.api.helpers import client_for, key_client, post_json

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def county_key(world):
    _key, raw = do_create_api_key("fixmystreet-app", area_code=world.county.code)
    return raw


def _post(raw, **fields):
    body = {"api_key": raw, "service_code": "minsheng-road", "description": "路灯不亮好几天了", "last_name": "李", "first_name": "四"}
    body.update(fields)
    return Client(HTTP_HOST="localhost").post(f"{BASE}/requests.json", body)


def test_an_open311_client_posting_lat_long_and_address_gets_a_case_in_the_right_village(world, county_key):
    village = world.villages[1]
    r = _post(county_key, lat=str(village.centroid_lat), long=str(village.centroid_lon), address_string="路口那边")
    assert r.status_code == 200, r.content
    number = r.json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    assert case.area_id == village.code and case.grid is not None and case.grid.area_id == village.code
    assert case.address == "路口那边"


def test_a_gcj02_point_from_a_chinese_phone_map_is_converted(world, county_key):
    village = world.villages[2]
    g_lon, g_lat = wgs84_to_gcj02(village.centroid_lon, village.centroid_lat)
    r = _post(county_key, lat=str(g_lat), long=str(g_lon), coordinate_system="gcj02")
    assert r.status_code == 200
    assert Case.objects.get(number=r.json()[0]["service_request_id"]).area_id == village.code


def test_an_address_naming_a_landmark_is_placed(world, county_key):
    landmark = Landmark.objects.select_related("area").first()
    assert landmark is not None, "the demo geography has landmarks"
    r = _post(county_key, address_string=f"{landmark.area.name}{landmark.name}旁边")
    assert r.status_code == 200
    assert Case.objects.get(number=r.json()[0]["service_request_id"]).area_id == landmark.area_id


def test_a_point_outside_the_county_waits_for_a_dispatcher_and_its_token_resolves_once_placed(world, county_key):
    r = _post(county_key, lat="39.9", long="116.4")  # Beijing: not in this county
    assert r.status_code == 200
    answer = r.json()[0]
    assert "service_request_id" not in answer and answer["token"]
    assert not Case.objects.exists() and UnlocatedReport.objects.get().status == "waiting"
    token = Client(HTTP_HOST="localhost").get(f"{BASE}/tokens/{answer['token']}.json").json()[0]
    assert token["service_request_id"] is None
    # the county leader places it from the 待定位 page
    leader = client_for(world.users["leader"])
    page = leader.get("/cases/unlocated/").content.decode()
    assert "路灯不亮好几天了" in page
    village = world.villages[0]
    r = leader.post("/cases/unlocated/", {"report": UnlocatedReport.objects.get().pk, "area": village.code, "do": "place"})
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.area_id == village.code and case.created_by.username == "api-fixmystreet-app"
    token = Client(HTTP_HOST="localhost").get(f"{BASE}/tokens/{answer['token']}.json").json()[0]
    assert token["service_request_id"] == case.number


def test_a_retry_of_an_open311_client_returns_the_first_case(world, county_key):
    village = world.villages[1]
    first = _post(county_key, lat=str(village.centroid_lat), long=str(village.centroid_lon))
    again = _post(county_key, lat=str(village.centroid_lat), long=str(village.centroid_lon))
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert first.json()[0]["token"] == again.json()[0]["token"]
    assert Case.objects.count() == 1


def test_a_client_key_makes_a_retry_even_after_the_window(world, county_key):
    village = world.villages[1]
    c = Client(HTTP_HOST="localhost", HTTP_IDEMPOTENCY_KEY="app-42")
    body = {"api_key": county_key, "service_code": "minsheng-road", "description": "路灯不亮", "last_name": "李", "first_name": "四",
            "address_id": village.code}
    first = c.post(f"{BASE}/requests.json", body)
    again = c.post(f"{BASE}/requests.json", body)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert Case.objects.count() == 1


@pytest.mark.parametrize("lat, long", [("91", "111.6"), ("abc", "111.6"), ("26.2", ""), ("nan", "111.6")])
def test_bad_coordinates_are_a_clear_error(world, county_key, lat, long):
    r = _post(county_key, lat=lat, long=long)
    assert r.status_code == 400 and r.json()[0]["description"]
    assert not Case.objects.exists() and not UnlocatedReport.objects.exists()


def test_rest_intake_places_by_point_or_queues(world):
    client, _ = key_client("hotline")
    village = world.villages[3]
    body = {"category": "minsheng-road", "title": "路灯不亮", "description": "路灯坏了", "reporter_name": "张三明",
            "lat": village.centroid_lat, "long": village.centroid_lon}
    r = post_json(client, "/api/v1/cases", body)
    assert r.status_code == 201 and r.json()["area"]["code"] == village.code
    r = post_json(client, "/api/v1/cases", body | {"lat": 30.0, "long": 120.0, "title": "别处的路灯"})
    assert r.status_code == 202 and r.json()["queued"] is True and UnlocatedReport.objects.count() == 1


def test_only_dispatchers_of_the_county_see_the_queue(world, county_key):
    _post(county_key, lat="39.9", long="116.4")
    assert client_for(world.users["auditor"]).get("/cases/unlocated/").status_code == 404
    assert client_for(world.users["resident-1"]).get("/cases/unlocated/").status_code == 404
    assert "路灯不亮好几天了" in client_for(world.users["leader"]).get("/cases/unlocated/").content.decode()


def test_a_township_places_only_in_its_own_villages(world, county_key):
    _post(county_key, lat="39.9", long="116.4")
    t1, t2 = world.townships
    other = next(v for v in world.villages if v.code.startswith(t2.code[:9]))
    staff = client_for(world.users[f"tz-{t1.code[6:9]}"])
    staff.post("/cases/unlocated/", {"report": UnlocatedReport.objects.get().pk, "area": other.code, "do": "place"})
    assert not Case.objects.exists() and UnlocatedReport.objects.get().status == "waiting"


def test_a_report_can_be_marked_as_not_a_case_with_a_reason(world, county_key):
    _post(county_key, lat="39.9", long="116.4")
    leader = client_for(world.users["leader"])
    leader.post("/cases/unlocated/", {"report": UnlocatedReport.objects.get().pk, "do": "reject", "note": "测试数据"})
    report = UnlocatedReport.objects.get()
    assert report.status == "rejected" and report.note == "测试数据" and not Case.objects.exists()
