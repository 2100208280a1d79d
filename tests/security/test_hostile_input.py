"""Hostile input never reaches a 500: NUL and control characters, non-finite and huge numbers, absurd dates.

Each probe from issue 10 goes through the adapter that met it (REST API,
public API, Open311, web pages) and gets a 400 in that adapter's shape with the
field named; nothing is written.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from jiceng.cases.models import Case
from tests.api.helpers import client_for, key_client, post_json
from tests.cases.helpers import submit

pytestmark = pytest.mark.django_db


def _body(world, **over):
    body = {"category": "yinhuan-fire", "area": world.villages[0].code, "title": "楼道堆放杂物", "description": "三楼楼道堆满纸箱",
            "reporter_name": "李四", "fields": {"hazard_level": "一般", "rectify_by": "2026-12-31"}}
    body.update(over)
    return body


@pytest.fixture
def api(world):
    return key_client("hostile", area_code=world.county.code)[0]


def _assert_json_400(r, field: str):
    assert r.status_code == 400, r.content
    data = r.json()
    assert data["code"] == "invalid" and data["field"] == field, data
    assert any("\u4e00" <= ch <= "\u9fff" for ch in data["message"]), data  # a Chinese message
    return data


@pytest.mark.parametrize("field", ["title", "description", "address", "reporter_name"])
def test_it_refuses_nul_in_any_text_of_a_json_submission(world, api, field):
    r = post_json(api, "/api/v1/cases", _body(world, **{field: "路灯\x00坏了"}))
    _assert_json_400(r, field)
    assert Case.objects.count() == 0


def test_it_refuses_nul_in_a_category_field_and_names_it(world, api):
    r = post_json(api, "/api/v1/cases", _body(world, fields={"hazard_level": "一般", "rectify_by": "2026-12-31\x00"}))
    _assert_json_400(r, "fields.rectify_by")


def test_it_refuses_a_lone_surrogate_escape(world, api):
    r = api.post("/api/v1/cases", '{"category": "yinhuan-fire", "title": "\\ud800"}', content_type="application/json")
    _assert_json_400(r, "title")


def test_unauthenticated_tracking_with_nul_is_a_chinese_400_page(world):
    r = Client(HTTP_HOST="localhost").get("/track/", {"number": "a\x00b"})
    assert r.status_code == 400
    assert "控制字符" in r.content.decode() and "text/html" in r["Content-Type"]


def test_public_case_lookup_with_nul_in_the_path_is_a_json_400(world):
    r = Client(HTTP_HOST="localhost").get("/api/v1/public/cases/2026-431102%00-000001")
    _assert_json_400(r, "path")


def test_open311_request_id_with_nul_is_an_open311_error(world):
    r = Client(HTTP_HOST="localhost").get("/open311/v2/requests.json", {"service_request_id": "1\x00"})
    assert r.status_code == 400
    errors = r.json()
    assert errors[0]["code"] == 400 and "控制字符" in errors[0]["description"]
    xml = Client(HTTP_HOST="localhost").get("/open311/v2/requests.xml", {"service_request_id": "1\x00"})
    assert xml.status_code == 400 and b"<errors>" in xml.content


def test_a_form_post_with_nul_is_refused_before_the_view(world, users):
    staff = client_for(users[f"cun-{world.villages[0].code}"])
    r = staff.post("/cases/new/", {"title": "a\x00b", "description": "x"})
    assert r.status_code == 400 and "控制字符" in r.content.decode()
    assert Case.objects.count() == 0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "-1e999", "1e999"])
def test_it_refuses_non_finite_numbers_in_json(world, api, literal):
    raw = '{"category": "xinfang", "area": "%s", "title": "t", "description": "d", "reporter_name": "王五", "fields": {"petitioners": %s}}'
    r = api.post("/api/v1/cases", raw % (world.villages[0].code, literal), content_type="application/json")
    data = _assert_json_400(r, "fields.petitioners" if "e999" in literal else "petitioners")
    assert "有限" in data["message"]
    assert Case.objects.count() == 0


@pytest.mark.parametrize("params,field", [
    ("unit=1e30", "unit"), ("unit=-1", "unit"), ("before=99999999999999999999999", "before"),
    ("created_after=0001-01-01T00:00:00%2B14:00", "created_after"), ("created_before=9999-12-31T23:59:59-12:00", "created_before"),
    ("state=bogus", "state"), ("area=abc", "area"),
])
def test_absurd_list_filters_are_400_naming_the_field(world, api, params, field):
    _assert_json_400(api.get(f"/api/v1/cases?{params}"), field)


@pytest.mark.parametrize("params", ["state=bogus", "unit=1e30", "created_after=0001-01-01", "area=abc", "unit=abc"])
def test_absurd_web_list_filters_are_a_chinese_400_page(world, users, params):
    r = client_for(users["admin"]).get(f"/cases/?{params}")
    assert r.status_code == 400 and "text/html" in r["Content-Type"]
    assert "请求被拒绝" in r.content.decode()


def test_a_known_state_filter_still_narrows(world, api):
    submit(world)
    assert len(api.get("/api/v1/cases?state=submitted").json()["items"]) == 1
    assert api.get("/api/v1/cases?state=closed").json()["items"] == []
    assert len(api.get("/api/v1/cases?state=open").json()["items"]) == 1


def test_a_thousand_character_file_name_gets_the_json_error(world, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = submit(world)
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    r = api.post(f"/api/v1/cases/{case.number}/attachments",
                 {"note": "照片", "files": [SimpleUploadedFile("长" * 1000 + ".png", png, content_type="image/png")]})
    _assert_json_400(r, "files")


def test_a_long_source_ref_is_refused_not_cut(world, api):
    r = post_json(api, "/api/v1/cases", _body(world, source_ref="x" * 65))
    _assert_json_400(r, "source_ref")
    ok = post_json(api, "/api/v1/cases", _body(world, source_ref="x" * 64))
    assert ok.status_code == 201 and Case.objects.get().source_ref == "x" * 64


@pytest.mark.parametrize("title", ["\u202e", "\u200b\u200b\u200b", "\u202e\u200d\ufeff \u3000", "\u3164"])
def test_invisible_only_title_counts_as_empty(world, api, title):
    r = post_json(api, "/api/v1/cases", _body(world, title=title))
    data = _assert_json_400(r, "title")
    assert "标题" in data["message"]


def test_public_submit_refuses_a_nul_and_stores_nothing(world):
    cache.clear()
    body = _body(world, anonymous=True, title="a\x00")
    del body["reporter_name"]
    _assert_json_400(post_json(Client(HTTP_HOST="localhost"), "/api/v1/public/cases", body), "title")
    assert Case.objects.count() == 0
