"""Frequent callers: threshold, period, scope and masking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.accounts.models import PersonalDataAccess
from jiceng.triage.callers import frequent_callers
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db
PHONE = "13712345678"


def _calls(world, n, phone=PHONE, village=None, days_ago=1, **kw):
    now = timezone.now()
    return [submit(world, village=village, reporter_phone=phone, title=f"反映第{i}次", description="反复来电反映同一问题",
                   now=now - timedelta(days=days_ago, minutes=i), **kw) for i in range(n)]


def test_it_lists_reporters_with_more_than_the_threshold(world):
    _calls(world, 4)
    _calls(world, 3, phone="13700000000")
    rows = frequent_callers(world.users["leader"], min_cases=3, period_days=30)
    assert [(r.kind, r.count) for r in rows] == [("phone", 4)]
    assert len(rows[0].cases) == 4 and rows[0].cases[0].created_at > rows[0].cases[-1].created_at
    assert frequent_callers(world.users["leader"], min_cases=4, period_days=30) == []


def test_it_groups_by_id_number_too(world):
    _calls(world, 3, phone="13700000001", reporter_id_number="11010519491231002X")
    rows = frequent_callers(world.users["leader"], min_cases=2, period_days=30)
    assert {(r.kind, r.count) for r in rows} == {("phone", 3), ("id_number", 3)}


def test_only_cases_in_the_period_count(world):
    _calls(world, 2, days_ago=1)
    _calls(world, 3, days_ago=100)
    assert frequent_callers(world.users["leader"], min_cases=2, period_days=30) == []
    assert [r.count for r in frequent_callers(world.users["leader"], min_cases=2, period_days=200)] == [5]


def test_only_cases_in_the_viewers_scope_count(world):
    village = world.villages[-1]
    _calls(world, 3, village=village)
    other_township = next(t for t in world.townships if not village.code.startswith(t.code[:9]))
    assert frequent_callers(world.users[f"tz-{other_township.code[6:9]}"], min_cases=2) == []
    assert len(frequent_callers(village_staff(world, village.code), min_cases=2)) == 1


def test_residents_get_nothing(world):
    _calls(world, 3)
    assert frequent_callers(world.users["resident-1"], min_cases=1) == []


def test_numbers_and_names_are_masked_unless_revealed_by_someone_who_needs_them(world):
    village = world.villages[-1]
    _calls(world, 3, village=village)
    staff = village_staff(world, village.code)
    masked = frequent_callers(staff, min_cases=2)[0]
    assert masked.masked and masked.value == "137****5678" and masked.name == "张*明" and masked.can_reveal
    assert not PersonalDataAccess.objects.exists()
    shown = frequent_callers(staff, min_cases=2, reveal=True)[0]
    assert not shown.masked and shown.value == PHONE and shown.name == "张三明"
    assert PersonalDataAccess.objects.filter(user=staff, purpose="frequent-callers").count() == 1


def test_auditors_never_see_them_unmasked(world):
    _calls(world, 3)
    row = frequent_callers(world.users["auditor"], min_cases=2, reveal=True)[0]
    assert row.masked and not row.can_reveal and row.value != PHONE


def test_the_page_is_for_staff_and_linked_from_the_nav(world, client):
    village = world.villages[-1]
    _calls(world, 3, village=village)
    client.force_login(world.users["resident-1"])
    assert client.get("/triage/callers/").status_code == 403
    assert "/triage/callers/" not in client.get("/").content.decode()
    client.force_login(village_staff(world, village.code))
    page = client.get("/triage/callers/?min=2&days=30").content.decode()
    assert "137****5678" in page and PHONE not in page and "/triage/callers/" in client.get("/").content.decode()
    assert PHONE in client.get("/triage/callers/?min=2&days=30&reveal=1").content.decode()


def test_the_demo_county_has_frequent_callers(world):
    from datetime import datetime
    from datetime import timezone as tz

    from jiceng.demo.cases import FREQUENT_CALLERS, generate_cases

    now = datetime(2026, 11, 20, 8, tzinfo=tz.utc)
    generate_cases(world, 600, seed=3, now=now)
    rows = frequent_callers(world.users["leader"], min_cases=1, period_days=365, now=now)  # random phones never repeat
    assert 0 < len({r.value for r in rows if r.kind == "phone"}) <= FREQUENT_CALLERS
