"""Every operation of the OpenAPI schema, each parameter and body property in turn, gets hostile values.

NUL and control characters, lone surrogates, NaN/Infinity/1e999, numbers far
beyond any column, absurd dates, huge strings, wrong types. The answer may be
any 4xx; a 5xx fails. Complements tests/api/test_schemathesis.py (which
generates from the schema's own types) with the values issue 10 found. The
budget is fixed; the number of requests sent is printed (pytest -s).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.api.keys import do_create_api_key
from jiceng.api.main import api
from tests.cases.helpers import submit

pytestmark = pytest.mark.django_db
SCHEMA = api.get_openapi_schema()
OPERATIONS = [(path, method.upper(), op) for path, ops in SCHEMA["paths"].items() for method, op in ops.items()]
HUGE_FLOAT = "__1e999__"
HOSTILE = ["\x00", "a\x00b", "\x1b[31m", "\u202e\u200b", "\ud800", float("nan"), float("inf"), float("-inf"), HUGE_FLOAT,
           10**30, -(10**30), -5, 0, 3.7, "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01", "1e30", "NaN",
           "x" * 5000, [], {}, None, True, ["\x00"], {"\x00": 1}, "bogus"]
SAFE_BODY = {"category": "minsheng-road", "area": "431102002003", "title": "村道路灯不亮", "description": "村口三盏路灯坏了",
             "reporter_name": "张三明", "note": "说明", "plan": "三天内处理", "reason": "理由"}
sent = {"requests": 0}


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = SCHEMA["components"]["schemas"][name]
    return schema


def _body_properties(op: dict) -> list[str]:
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return []
    return list(_resolve(content["application/json"]["schema"]).get("properties", {}))


def _encode(value) -> str:
    text = json.dumps(value, allow_nan=True, ensure_ascii=True)
    return text.replace(f'"{HUGE_FLOAT}"', "1e999")


def _query_text(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, allow_nan=True)
    return text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot travel in a URL at all


@pytest.fixture(scope="module", autouse=True)
def report_count():
    yield
    print(f"\nhostile schema fuzz: {sent['requests']} requests over {len(OPERATIONS)} operations")


@pytest.fixture
def setup(world, keep_db_connection):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    case = submit(world)
    raw = do_create_api_key("hostile-fuzzer", role="admin")[1]
    return Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {raw}"), case.number


@pytest.fixture
def keep_db_connection():
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@st.composite
def hostile_request(draw):
    path, method, op = draw(st.sampled_from(OPERATIONS))
    params = [p for p in op.get("parameters", []) if p["in"] in ("path", "query")]
    props = _body_properties(op)
    targets = [("param", p["name"]) for p in params] + [("body", name) for name in props] + [("body", "fields.x")]
    target = draw(st.sampled_from(targets)) if targets else None
    return path, method, op, target, draw(st.sampled_from(HOSTILE))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(hostile_request())
def test_no_operation_answers_hostile_values_with_a_server_error(setup, request_spec):
    client, number = setup
    path, method, op, target, value = request_spec
    url, query = path, {}
    for p in op.get("parameters", []):
        real = {"number": number, "attachment_id": "1", "code": "431102002003" if "areas" in path else "minsheng-road"}.get(p["name"])
        chosen = _query_text(value) if target == ("param", p["name"]) else real
        if p["in"] == "path":
            from urllib.parse import quote

            url = url.replace("{" + p["name"] + "}", quote(str(chosen), safe=""))
        elif p["in"] == "query" and chosen is not None:
            query[p["name"]] = chosen
    sent["requests"] += 1
    if method == "GET":
        r = client.get(url, query)
    else:
        body = dict(SAFE_BODY)
        if target and target[0] == "body":
            if target[1] == "fields.x":
                body["fields"] = {"x": value, "petitioners": value}
            else:
                body[target[1]] = value
        from urllib.parse import urlencode

        full = f"{url}?{urlencode(query)}" if query else url
        r = client.generic(method, full, _encode(body), content_type="application/json")
    assert r.status_code < 500, (method, url, query, target, repr(value)[:80], r.content[:300])


