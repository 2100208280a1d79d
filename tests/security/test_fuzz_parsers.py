"""Hypothesis on every parser hostile input reaches: each answers with its own error, never anything else.

The budget is fixed (max_examples per test); each test prints how many inputs
it tried, so CI logs show the count (the run's summary prints the total).
"""

from __future__ import annotations

import json
import os
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.cases.config import DEFAULT_CONFIG, parse_config
from jiceng.cases.errors import InvalidInput
from jiceng.cases.fields import clean_fields
from jiceng.cases.filters import CaseFilter, check_filter
from jiceng.people.idnumber import IdNumberError, validate_id_number
from jiceng.security.middleware import HostileInput, _check_json_body, _check_query_value

BUDGET = 200
SPECS = [spec for cat in parse_config(DEFAULT_CONFIG.read_text(encoding="utf-8"))["categories"] for spec in cat.get("fields", [])]

hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["\x00", "a\x00b", "\u202e", "\u200b", "\ud800", "NaN", "inf", "-1e999", "1e30", "10" * 20, "0001-01-01",
                     "9999-12-31T23:59:59+14:00", "-5", "3.7", "", " ", "是", "true", "[]", "{}"]),
)
hostile_number = st.one_of(st.integers(min_value=-(10**40), max_value=10**40), st.floats(allow_nan=True, allow_infinity=True))
json_value = st.recursive(st.one_of(st.none(), st.booleans(), hostile_number, hostile_text),
                          lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)
tried: dict[str, int] = {}


def _count(name: str) -> None:
    tried[name] = tried.get(name, 0) + 1


@pytest.fixture(autouse=True)
def report_counts(request):
    """Each test's inputs go into its report; tests/conftest.py prints the total at the end of the run."""
    yield
    request.node.user_properties.append(("fuzz_inputs", (__name__, os.getpid(), sum(tried.values()))))


@settings(max_examples=BUDGET, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SPECS), json_value)
def test_category_fields_answer_invalid_input_or_a_bounded_value(spec, value):
    _count("fields")
    try:
        out = clean_fields([spec], {spec["name"]: value}, "submit")
    except InvalidInput as exc:
        assert exc.field == f"fields.{spec['name']}" and exc.message
        return
    result = out.get(spec["name"])
    if isinstance(result, (int, float)) and not isinstance(result, bool):
        assert math.isfinite(result) and abs(result) <= 10**9
    if isinstance(result, str):
        assert "\x00" not in result and len(result) <= 500
    if isinstance(result, list):
        assert len(result) <= 50 and all(len(v) <= 100 for v in result)


@settings(max_examples=BUDGET, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["state", "category", "area", "q", "unit", "before", "overdue"]), hostile_text))
def test_list_filters_answer_invalid_input_or_a_checked_filter(params):
    _count("filters")
    try:
        check_filter(CaseFilter.from_params(params))
    except InvalidInput as exc:
        assert exc.field in params


@settings(max_examples=BUDGET, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(hostile_text, st.from_regex(r"\A[0-9]{17}[0-9Xx]\Z"), st.integers()))
def test_id_numbers_answer_their_own_error(value):
    _count("id_number")
    try:
        out = validate_id_number(value)
    except IdNumberError:
        return
    assert len(out) == 18


@settings(max_examples=BUDGET, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(json_value)
def test_the_input_guard_refuses_only_with_its_own_error(value):
    _count("json_guard")
    try:
        body = json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")
    except (ValueError, UnicodeEncodeError):
        return
    try:
        _check_json_body(body)
    except HostileInput as exc:
        assert exc.reason


@settings(max_examples=BUDGET, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["unit", "created_after", "number", "service_request_id", "q"]), hostile_text)
def test_query_values_refused_only_with_the_guards_error(key, value):
    _count("query_guard")
    try:
        _check_query_value(key, value)
    except HostileInput as exc:
        assert exc.field == key


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["title", "description", "address", "reporter_name", "reporter_phone", "source_ref", "fields", "area", "category"]),
       json_value)
def test_hostile_values_in_a_submission_never_reach_a_server_error(world_once, field, value):
    client = world_once
    _count("api_submit")
    body = {"category": "xinfang", "area": "431102001001", "title": "t", "description": "d", "reporter_name": "王五",
            "fields": {"petitioners": 2}, field: value}
    try:
        raw = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
    except (ValueError, UnicodeEncodeError):
        return
    r = client.post("/api/v1/cases", raw, content_type="application/json")
    assert r.status_code < 500, r.content


@pytest.fixture
def world_once(world):
    from tests.api.helpers import key_client

    return key_client("fuzz", area_code=world.county.code)[0]
