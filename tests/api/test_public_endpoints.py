"""Public endpoints: tracking shows progress but never people; anonymous intake is rate limited."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from jiceng.cases.models import Case
from tests.cases.helpers import submit

from .helpers import post_json

pytestmark = pytest.mark.django_db


def test_tracking_shows_progress_and_no_personal_data(world, client):
    case = submit(world, reporter_name="张三明", reporter_phone="13812345678", address="南津路88号")
    r = client.get(f"/api/v1/public/cases/{case.number}")
    assert r.status_code == 200
    text = r.content.decode()
    for secret in ("张三明", "13812345678", "南津路88号", case.description):
        assert secret not in text
    assert r.json()["events"][0]["action"] == "submit"


def test_an_unknown_number_is_404(world, client):
    assert client.get("/api/v1/public/cases/2099-000000-000001").status_code == 404


def test_anonymous_submission_is_rate_limited_per_address(world, client, settings):
    settings.PUBLIC_SUBMIT_RATE = "2/m"
    cache.clear()
    body = {"category": "yinhuan-fire", "area": world.villages[0].code, "title": "楼道堆放杂物", "description": "三楼楼道堆满纸箱",
            "anonymous": True, "fields": {"hazard_level": "一般", "rectify_by": "2026-12-31"}}
    codes = [post_json(client, "/api/v1/public/cases", body, REMOTE_ADDR="10.0.0.7").status_code for _ in range(3)]
    other = post_json(client, "/api/v1/public/cases", body, REMOTE_ADDR="10.0.0.8").status_code
    assert codes == [201, 201, 429] and other == 201
    assert Case.objects.count() == 3


def test_anonymous_submission_respects_the_category_rule(world, client):
    cache.clear()
    body = {"category": "jiufen-neighbour", "area": world.villages[0].code, "title": "邻居噪音", "description": "楼上每晚敲打", "anonymous": True}
    r = post_json(client, "/api/v1/public/cases", body)
    assert r.status_code == 400 and r.json()["field"] == "anonymous" and Case.objects.count() == 0
