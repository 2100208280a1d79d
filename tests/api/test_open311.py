"""Open311 GeoReport v2 as an unchanged client sees it, in JSON and XML."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from jiceng.api.keys import do_create_api_key
from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def o311(world):
    _, raw = do_create_api_key("open311-client", area_code=world.county.code)
    return Client(HTTP_HOST="localhost"), raw


def _xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def test_services_list_the_leaf_categories_in_both_formats(o311):
    client, _ = o311
    services = client.get(f"{BASE}/services.json").json()
    root = _xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == len(services) > 10
    first = services[0]
    assert set(first) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert root.find("service/service_code").text == first["service_code"]
    assert {s["type"] for s in services} == {"realtime"}


def test_a_service_definition_carries_the_category_fields_as_attributes(o311):
    client, _ = o311
    data = client.get(f"{BASE}/services/yinhuan-fire.json").json()
    attrs = {a["code"]: a for a in data["attributes"]}
    assert data["service_code"] == "yinhuan-fire"
    level = attrs["hazard_level"]
    assert level["datatype"] == "singlevaluelist" and level["required"] is True and level["variable"] is True
    assert [v["key"] for v in level["values"]] == ["一般", "较大", "重大"]
    root = _xml(client.get(f"{BASE}/services/yinhuan-fire.xml"))
    assert root.tag == "service_definition"
    assert [e.text for e in root.findall("attributes/attribute/code")] == list(attrs)


def test_it_posts_a_request_with_attributes_and_returns_id_and_token(world, o311):
    client, key = o311
    village = world.villages[0]
    r = client.post(f"{BASE}/requests.json", {
        "api_key": key, "jurisdiction_id": world.county.code[:6], "service_code": "yinhuan-fire", "address_id": village.code,
        "address_string": "老街12号", "description": "电线裸露在路边", "last_name": "李", "first_name": "四",
        "phone": "13912345678", "attribute[hazard_level]": "较大", "attribute[rectify_by]": "2026-12-31T00:00:00+08:00",
    })
    assert r.status_code == 200, r.content
    (reply,) = r.json()
    case = Case.objects.get(number=reply["service_request_id"])
    assert case.fields == {"hazard_level": "较大", "rectify_by": "2026-12-31"} and case.reporter_name == "李四" and case.area_id == village.code
    token = client.get(f"{BASE}/tokens/{reply['token']}.json").json()
    assert token == [{"service_request_id": case.number, "token": reply["token"]}]


@pytest.mark.parametrize("change, status", [
    ({"api_key": ""}, 403), ({"api_key": "jc_wrong"}, 403), ({"service_code": "nope"}, 404), ({"service_code": ""}, 400),
    ({"address_id": ""}, 400), ({"jurisdiction_id": "110101"}, 404), ({"attribute[hazard_level]": "极大"}, 400),
])
def test_a_bad_post_gets_the_specified_error_format_and_creates_nothing(world, o311, change, status):
    client, key = o311
    data = {"api_key": key, "service_code": "yinhuan-fire", "address_id": world.villages[0].code, "description": "电线裸露",
            "last_name": "李", "first_name": "四", "attribute[hazard_level]": "一般", "attribute[rectify_by]": "2026-12-31", **change}
    as_json = client.post(f"{BASE}/requests.json", data)
    as_xml = client.post(f"{BASE}/requests.xml", data)
    assert as_json.status_code == as_xml.status_code == status
    (error,) = as_json.json()
    assert error["code"] == status and error["description"]
    root = _xml(as_xml)
    assert root.tag == "errors" and root.find("error/code").text == str(status)
    assert Case.objects.count() == 0


def test_get_requests_filters_by_id_code_status_and_date(world, o311):
    client, key = o311
    road = submit(world, category="minsheng-road")
    hazard = submit(world, category="yinhuan-fire", fields={"hazard_level": "一般", "rectify_by": "2026-12-31"})
    staff = village_staff(world, road.area_id)
    do_case_action(road, "refuse", staff, {"note": "不属于受理范围"})
    both = client.get(f"{BASE}/requests.json", {"service_request_id": f"{road.number},{hazard.number}"}).json()
    assert {r["service_request_id"] for r in both} == {road.number, hazard.number}
    assert [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", {"service_code": "yinhuan-fire"}).json()] == [hazard.number]
    assert [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", {"status": "closed"}).json()] == [road.number]
    assert [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", {"status": "open"}).json()] == [hazard.number]
    assert client.get(f"{BASE}/requests.json", {"start_date": "2099-01-01T00:00:00+08:00"}).json() == []
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400


def test_one_request_has_the_spec_fields_with_offset_datetimes_and_agency(world, o311):
    client, key = o311
    case = submit(world, address="南津路88号")
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "accept", staff, {"plan": "修"})
    case = do_case_action(case, "dispatch", staff, {})
    (data,) = client.get(f"{BASE}/requests/{case.number}.json", {"api_key": key}).json()
    assert data["status"] == "open" and data["agency_responsible"] == case.unit.name
    assert datetime.fromisoformat(data["requested_datetime"]).utcoffset().total_seconds() == 8 * 3600
    assert data["address"] == case.area.name and data["address_id"] == case.area_id  # the village, never the free-text address
    root = _xml(client.get(f"{BASE}/requests/{case.number}.xml"))
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == case.number
    assert client.get(f"{BASE}/requests/2099-000000-000001.json").status_code == 404


def test_without_a_key_requests_carry_no_description_or_personal_data(world, o311):
    client, key = o311
    case = submit(world, description="张三明家门口的路灯坏了", reporter_phone="13812345678")
    (public,) = client.get(f"{BASE}/requests/{case.number}.json").json()
    text = str(public)
    assert public["description"] == "" and "13812345678" not in text and "张三明" not in text
