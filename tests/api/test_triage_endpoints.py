"""Triage through the API: a camera platform's alerts, repeat candidates and links, suggestions, frequent callers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from jiceng.cases.models import Case
from jiceng.triage.models import CaseLink
from tests.cases.helpers import submit, village_staff

from tests.triage.helpers import register_devices

from .helpers import client_for, key_client, post_json

pytestmark = pytest.mark.django_db


T0 = (datetime.now(timezone.utc) - timedelta(hours=2)).replace(second=0, microsecond=0)


def _at(minutes: int = 0) -> str:
    """A claimed alert time within the accepted window (the last 7 days)."""
    return (T0 + timedelta(minutes=minutes)).isoformat()


@pytest.fixture(autouse=True)
def devices(world):
    return register_devices(world, "cam-17", village=world.villages[0])


def _alert(world, at: str, **kw):
    body = {"category": "yujing-campus", "area": world.villages[0].code, "device_id": "cam-17", "alert_type": "攀爬",
            "title": "校园围墙攀爬", "description": "摄像头识别到有人攀爬围墙", "at": at, "fields": {"school": "零陵区第一中学"}}
    body.update(kw)
    return body


def test_alerts_of_one_device_within_the_window_become_one_case_with_a_count(world):
    cameras, _ = key_client("cameras", area_code=world.county.code)
    first = post_json(cameras, "/api/v1/alerts", _alert(world, _at(0)))
    second = post_json(cameras, "/api/v1/alerts", _alert(world, _at(5)))
    other = post_json(cameras, "/api/v1/alerts", _alert(world, _at(6), alert_type="打架"))
    assert (first.status_code, second.status_code, other.status_code) == (201, 200, 201)
    assert second.json()["case"]["number"] == first.json()["case"]["number"] and second.json()["count"] == 2
    assert Case.objects.count() == 2


def test_a_redelivered_alert_is_counted_once(world):
    cameras, _ = key_client("cameras", area_code=world.county.code)
    for _ in range(2):
        r = post_json(cameras, "/api/v1/alerts", _alert(world, _at(0)), HTTP_IDEMPOTENCY_KEY="evt-1")
    assert r.json()["count"] == 1


def test_an_alert_without_a_device_is_refused_by_field(world):
    cameras, _ = key_client("cameras", area_code=world.county.code)
    r = post_json(cameras, "/api/v1/alerts", _alert(world, _at(0), device_id=" "))
    assert r.status_code == 400 and r.json()["field"] == "device_id" and Case.objects.count() == 0


@pytest.mark.parametrize("claimed", ["0001-01-01T00:00:00+00:00", "2018-06-01T08:00:00+08:00", "2099-01-01T00:00:00+08:00"])
def test_an_alert_time_outside_the_window_is_refused_naming_the_field(world, claimed):
    cameras, _ = key_client("cameras", area_code=world.county.code)
    r = post_json(cameras, "/api/v1/alerts", _alert(world, claimed))
    assert r.status_code == 400 and r.json()["field"] == "at" and "告警时间" in r.json()["message"] and "超出允许范围" in r.json()["message"]
    assert Case.objects.count() == 0


def test_the_case_takes_the_server_time_and_records_the_claimed_time(world):
    from jiceng.triage.models import AlertCase

    cameras, _ = key_client("cameras", area_code=world.county.code)
    before = datetime.now(timezone.utc)
    r = post_json(cameras, "/api/v1/alerts", _alert(world, _at(0)))
    case = Case.objects.get(number=r.json()["case"]["number"])
    assert case.created_at >= before, "the case's own time is the server's"
    recorded = case.events.get(action="alert_repeat").payload
    assert recorded["first_seen"].startswith(T0.strftime("%Y-%m-%dT%H:%M")) and AlertCase.objects.get(case=case).first_seen == T0


def test_staff_see_repeat_candidates_and_link_one(world):
    first = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了一周", reporter_phone="13900000001")
    new = submit(world, title="村口路灯还是不亮", description="村口路灯坏了一周没人修", reporter_phone="13900000001")
    staff = client_for(village_staff(world, new.area_id))
    candidates = staff.get(f"/api/v1/cases/{new.number}/repeat-candidates").json()
    assert candidates[0]["number"] == first.number and candidates[0]["score"] > 0.5
    assert "same_phone" in {r["code"] for r in candidates[0]["reasons"]}
    r = post_json(staff, f"/api/v1/cases/{new.number}/link-repeat", {"original": first.number})
    assert r.status_code == 200 and CaseLink.objects.get().original_id == first.pk


def test_a_resident_may_not_see_repeat_candidates(world):
    resident = world.users["resident-4"]
    case = submit(world, user=resident, reporter_name="")
    r = client_for(resident).get(f"/api/v1/cases/{case.number}/repeat-candidates")
    assert r.status_code == 403


def test_suggestions_come_with_confidence_and_source(world):
    staff = client_for(village_staff(world, world.villages[0].code))
    rows = staff.get("/api/v1/triage/suggest", {"text": "楼道里堆满纸箱，消防通道被堵", "area": world.villages[0].code}).json()
    assert 1 <= len(rows) <= 3 and all(0 <= r["confidence"] <= 1 for r in rows)
    assert rows[0]["source"] in ("coldstart", "blend")  # triage.router: cold start, or blended with the trained model


def test_frequent_callers_are_masked_and_staff_only(world):
    for i in range(4):
        submit(world, title=f"噪音{i}", reporter_phone="13711112222")
    staff = client_for(village_staff(world, world.villages[-1].code))
    rows = staff.get("/api/v1/triage/frequent-callers", {"min_cases": 3}).json()
    assert [(r["value"], r["count"], r["masked"]) for r in rows] == [("137****2222", 4, True)]
    assert client_for(world.users["resident-1"]).get("/api/v1/triage/frequent-callers").status_code == 403
