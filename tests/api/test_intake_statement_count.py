"""Statements per intake request (issue 14: intake in fewer statements), counted on a real database.

POST /api/v1/cases with an API key, second request of the process (caches warm).
Measured 2026-11-25: 18 before, 15 after the number came from one
UPDATE … RETURNING and the answer stopped re-reading the case it had just
written. What remains: the key; the category, its leaf check and the place;
the number; the case, its repeat-detection key, its first event, its scope
row and its chain head; a savepoint pair; the unit list for masking.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.cases.models import Case, CaseNumberSequence

from .helpers import key_client, post_json
from .test_case_endpoints import _body

pytestmark = pytest.mark.django_db

MOST = 15


def test_a_submission_takes_at_most_fifteen_statements(world):
    client, _key = key_client("hotline", world.county.code)
    assert post_json(client, "/api/v1/cases", _body(world)).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        r = post_json(client, "/api/v1/cases", _body(world, title="桥头路灯也不亮"))
    assert r.status_code == 201, r.content
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= MOST, "\n".join(s[:120] for s in statements)
    assert sum("cases_casenumbersequence" in s for s in statements) == 1  # the number in one statement
    assert Case.objects.get(number=r.json()["number"]).title == "桥头路灯也不亮"


def test_numbers_run_on_without_gaps_from_one_statement(world):
    client, _key = key_client("hotline", world.county.code)
    numbers = [post_json(client, "/api/v1/cases", _body(world, title=f"第{i}盏路灯不亮")).json()["number"] for i in range(3)]
    tails = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert tails == [tails[0], tails[0] + 1, tails[0] + 2]
    assert CaseNumberSequence.objects.get(county_code=world.county.code[:6]).last == tails[-1]
