"""The case endpoints as an integrator uses them: submit, act through the loop, attach, read."""

from __future__ import annotations

import pytest

from jiceng.cases.models import Case, CaseEvent
from tests.cases.helpers import village_staff

from .helpers import client_for, key_client, post_json

pytestmark = pytest.mark.django_db


def _body(world, **kw):
    village = world.villages[-1]
    data = {"category": "minsheng-road", "area": village.code, "title": "村道路灯不亮", "description": "村口三盏路灯坏了一周",
            "reporter_name": "张三明", "reporter_phone": "13812345678", "channel": "hotline"}
    data.update(kw)
    return data


def test_it_submits_a_case_and_returns_it_masked(world):
    client, _ = key_client("hotline")
    r = post_json(client, "/api/v1/cases", _body(world, address="南津路88号3栋"))
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["state"] == "submitted" and data["channel"] == "hotline"
    assert data["reporter"] == {"name": "张*明", "phone": "138****5678", "id_number": "", "address": "南津路**号*栋", "masked": True}
    assert Case.objects.get(number=data["number"]).created_by.username == "api-hotline"


def test_a_retried_submission_with_the_same_idempotency_key_returns_the_original(world):
    client, _ = key_client("hotline")
    first = post_json(client, "/api/v1/cases", _body(world), HTTP_IDEMPOTENCY_KEY="ticket-778")
    again = post_json(client, "/api/v1/cases", _body(world), HTTP_IDEMPOTENCY_KEY="ticket-778")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Case.objects.count() == 1


def test_the_same_idempotency_key_with_other_content_is_a_conflict(world):
    client, _ = key_client("hotline")
    first = post_json(client, "/api/v1/cases", _body(world), HTTP_IDEMPOTENCY_KEY="ticket-778")
    other = post_json(client, "/api/v1/cases", _body(world, title="换了标题"), HTTP_IDEMPOTENCY_KEY="ticket-778")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_conflict" and other.json()["field"] == "idempotency_key"
    assert first.json()["number"] in other.json()["message"]
    assert Case.objects.count() == 1


@pytest.mark.parametrize("change, field", [
    ({"category": "no-such"}, "category"),
    ({"area": "431102999999"}, "area"),
    ({"reporter_phone": "12ab"}, "reporter_phone"),
    ({"title": ""}, "title"),
    ({"title": "长" * 121}, "title"),
    ({"fields": {"nonsense": 1}}, "fields.nonsense"),
])
def test_it_rejects_bad_input_naming_the_field_and_writes_nothing(world, change, field):
    client, _ = key_client("hotline")
    r = post_json(client, "/api/v1/cases", _body(world, **change))
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "invalid" and r.json()["field"] == field
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_errors_are_chinese_by_default_and_english_on_request(world):
    client, _ = key_client("hotline")
    zh = post_json(client, "/api/v1/cases", _body(world, category="no-such")).json()["message"]
    en = post_json(client, "/api/v1/cases", _body(world, category="no-such"), HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert "类别" in zh and "category" in en


def test_a_missing_field_is_reported_in_chinese(world):
    client, _ = key_client("hotline")
    body = _body(world)
    del body["title"]
    r = post_json(client, "/api/v1/cases", body)
    assert r.status_code == 400 and r.json()["field"] == "title" and "必填" in r.json()["message"]


def test_the_whole_loop_runs_through_the_api(world):
    village = world.villages[-1]
    staff = client_for(village_staff(world, village.code))
    resident_user = world.users["resident-3"]
    resident = client_for(resident_user)
    number = post_json(resident, "/api/v1/cases", _body(world, channel="web")).json()["number"]
    steps = [(staff, "accept", {"plan": "三天内更换灯泡"}), (staff, "dispatch", {}), (staff, "claim", {}),
             (staff, "resolve", {"result": "已更换三盏路灯"}), (resident, "rate", {"rating": "satisfied"}), (staff, "close", {})]
    for who, action, body in steps:
        r = post_json(who, f"/api/v1/cases/{number}/{action.replace('_', '-')}", body)
        assert r.status_code == 200, (action, r.content)
    data = staff.get(f"/api/v1/cases/{number}").json()
    assert data["state"] == "closed" and data["rating"] == "satisfied" and data["resolved_level"] == "village"
    events = staff.get(f"/api/v1/cases/{number}/events").json()
    assert [e["action"] for e in events] == ["submit", "accept", "dispatch", "claim", "resolve", "rate", "close"]
    assert all(e["hash"] for e in events)


def test_a_stale_version_is_a_conflict_and_changes_nothing(world):
    village = world.villages[-1]
    staff = client_for(village_staff(world, village.code))
    case = post_json(staff, "/api/v1/cases", _body(world)).json()
    post_json(staff, f"/api/v1/cases/{case['number']}/accept", {"plan": "修", "expected_version": case["version"]})
    r = post_json(staff, f"/api/v1/cases/{case['number']}/refuse", {"note": "重复", "expected_version": case["version"]})
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert staff.get(f"/api/v1/cases/{case['number']}").json()["state"] == "accepted"


def test_an_action_the_state_forbids_is_409_with_the_state_named(world):
    staff = client_for(village_staff(world, world.villages[-1].code))
    number = post_json(staff, "/api/v1/cases", _body(world)).json()["number"]
    r = post_json(staff, f"/api/v1/cases/{number}/close", {})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition" and "待受理" in r.json()["message"]


def test_a_wrong_rating_value_is_refused_by_the_schema(world):
    staff = client_for(village_staff(world, world.villages[-1].code))
    number = post_json(staff, "/api/v1/cases", _body(world)).json()["number"]
    r = post_json(staff, f"/api/v1/cases/{number}/rate", {"rating": "meh"})
    assert r.status_code == 400 and r.json()["field"] == "rating"


def _handling(world):
    staff_user = village_staff(world, world.villages[-1].code)
    staff = client_for(staff_user)
    number = post_json(staff, "/api/v1/cases", _body(world)).json()["number"]
    for action, body in (("accept", {"plan": "修"}), ("dispatch", {}), ("claim", {})):
        post_json(staff, f"/api/v1/cases/{number}/{action}", body)
    return staff, number


def test_attachments_are_stored_listed_and_downloaded(world, django_capture_on_commit_callbacks):
    staff, number = _handling(world)
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):  # files are written when the transaction commits
        r = staff.post(f"/api/v1/cases/{number}/attachments",
                       {"note": "现场照片", "files": [SimpleUploadedFile("现场.png", png, content_type="image/png")]})
    assert r.status_code == 200, r.content
    listed = staff.get(f"/api/v1/cases/{number}/attachments").json()
    assert [a["name"] for a in listed] == ["现场.png"] and listed[0]["size"] == len(png)
    download = staff.get(f"/api/v1/cases/{number}/attachments/{listed[0]['id']}")
    assert download.status_code == 200 and download.content == png


def test_attachments_over_the_limit_or_of_a_forbidden_type_are_refused(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    staff, number = _handling(world)
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = staff.post(f"/api/v1/cases/{number}/attachments", {"note": "大", "files": [SimpleUploadedFile("a.png", b"0" * 2000, content_type="image/png")]})
    exe = staff.post(f"/api/v1/cases/{number}/attachments", {"note": "程序", "files": [SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload")]})
    assert (big.status_code, exe.status_code) == (400, 400)
    assert big.json()["field"] == exe.json()["field"] == "files"
    assert staff.get(f"/api/v1/cases/{number}/attachments").json() == []


def test_the_list_pages_with_a_keyset_cursor(world):
    staff = client_for(village_staff(world, world.villages[-1].code))
    numbers = [post_json(staff, "/api/v1/cases", _body(world, title=f"路灯{i}")).json()["number"] for i in range(5)]
    first = staff.get("/api/v1/cases?limit=2").json()
    second = staff.get(f"/api/v1/cases?limit=2&before={first['next_before']}").json()
    third = staff.get(f"/api/v1/cases?limit=2&before={second['next_before']}").json()
    seen = [c["number"] for page in (first, second, third) for c in page["items"]]
    assert seen == list(reversed(numbers)) and third["next_before"] is None


def test_the_list_filters_by_state_and_area(world):
    staff = client_for(village_staff(world, world.villages[-1].code))
    a = post_json(staff, "/api/v1/cases", _body(world)).json()["number"]
    b = post_json(staff, "/api/v1/cases", _body(world)).json()["number"]
    post_json(staff, f"/api/v1/cases/{a}/accept", {"plan": "修"})
    accepted = [c["number"] for c in staff.get("/api/v1/cases?state=accepted").json()["items"]]
    assert accepted == [a]
    township = world.villages[-1].code[:9] + "000"
    assert {c["number"] for c in staff.get(f"/api/v1/cases?area={township}").json()["items"]} == {a, b}
    assert staff.get("/api/v1/cases?area=431102999").json()["items"] == []


def test_csrf_is_enforced_for_session_writes(world):
    from django.test import Client

    client = Client(HTTP_HOST="localhost", enforce_csrf_checks=True)
    client.force_login(village_staff(world, world.villages[-1].code))
    r = post_json(client, "/api/v1/cases", _body(world))
    assert r.status_code in (401, 403) and Case.objects.count() == 0
