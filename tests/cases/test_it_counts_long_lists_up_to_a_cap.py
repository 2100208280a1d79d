"""Lists count up to a cap (filters.COUNT_CAP) and then say "more than": the case list, the workbench tabs and REST.

An exact count reads the user's whole share; a county's dispatch centre
sees every case of the county, so its counts stop at the cap.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone as tz

import pytest

from jiceng.cases import access, filters
from jiceng.demo.cases import generate_cases
from tests.api.helpers import client_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 10, tzinfo=tz.utc)


def test_count_upto_stops_at_the_cap_and_says_so(world):
    generate_cases(world, 60, seed=3, now=NOW)
    qs = access.visible_cases(world.users["county-centre"])
    exact = qs.count()
    assert exact > 10
    assert filters.count_upto(qs, cap=10) == filters.Count(10, more=True)
    assert str(filters.count_upto(qs, cap=10)) == "10+"
    assert filters.count_upto(qs, cap=exact) == filters.Count(exact, more=False)
    assert filters.count_upto(qs.none()) == filters.Count(0) and not filters.count_upto(qs.none())


def test_the_list_page_and_the_workbench_say_more_than_the_cap(world, monkeypatch):
    generate_cases(world, 60, seed=3, now=NOW)
    user = world.users["county-centre"]
    client = client_for(user)
    full = client.get("/cases/").content.decode()
    exact = access.visible_cases(user).count()
    assert f"共找到 {exact} 件" in full
    monkeypatch.setattr(filters, "COUNT_CAP", 5)
    capped = client.get("/cases/").content.decode()
    assert "找到超过 5 件" in capped and f"共找到 {exact} 件" not in capped
    home = client.get("/?tab=overdue").content.decode()
    tabs = dict(re.findall(r'href="\?tab=(\w+)" class="wb-tab[^"]*"[^>]*>[^<]*<b>([^<]+)</b>', home))
    assert "5+" in tabs.values(), tabs
    r = client.get("/api/v1/workbench")
    capped_queues = [q for q in r.json() if q["count_capped"]]
    assert capped_queues and all(q["count"] == 5 for q in capped_queues)
    assert {q["key"] for q in capped_queues} == {k for k, v in tabs.items() if v == "5+"}
