"""Targets: completion per area from progress reports, overall rate (it may exceed 100%: 103.09%), lagging areas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from jiceng.errors import InvalidInput, NotPermitted
from jiceng.programmes.models import Target
from jiceng.programmes.targets import do_create_target, do_report_progress, elapsed_share, overall, progress

from .helpers import staff_of


def test_completion_rates_and_lagging_areas(world):
    township = world.townships[0]
    villages = [v for v in world.villages if v.code.startswith(township.prefix)][:2]
    tz = world.users[f"tz-{township.code[6:9]}"]
    target = do_create_target(tz, name="两癌筛查", unit="人", area=township, starts="2026-01-01", ends="2026-12-31",
                              shares={villages[0]: 1000, villages[1]: 940})
    a, b = target.shares.order_by("area_id")
    do_report_progress(staff_of(world, villages[0]), a, quantity=600, reported_on="2026-06-30", funds_used="12000.50")
    do_report_progress(tz, a, quantity=431, reported_on="2026-07-01")
    do_report_progress(staff_of(world, villages[1]), b, quantity=200, reported_on="2026-06-30")
    rows = progress(target, dt.date(2026, 7, 2))
    assert [(r.area_code, r.done, r.rate, r.lagging) for r in rows] == [
        (villages[0].code, Decimal("1031.00"), Decimal("1.0310"), False),
        (villages[1].code, Decimal("200.00"), Decimal("0.2128"), True)]
    assert rows[0].funds_used == Decimal("12000.50")
    planned, done, rate = overall(rows)
    assert (planned, done, rate) == (Decimal("1940.00"), Decimal("1231.00"), Decimal("0.6345"))
    # Reports after the day asked about do not count.
    assert progress(target, dt.date(2026, 6, 30))[0].done == Decimal("600.00")


def test_bad_targets_and_reports_are_refused(world):
    township = world.townships[0]
    tz = world.users[f"tz-{township.code[6:9]}"]
    village = next(v for v in world.villages if v.code.startswith(township.prefix))
    with pytest.raises(InvalidInput, match="截止日期"):
        do_create_target(tz, name="x", unit="人", area=township, starts="2026-02-01", ends="2026-01-01", shares={village: 1})
    with pytest.raises(InvalidInput, match="计划数"):
        do_create_target(tz, name="x", unit="人", area=township, starts="2026-01-01", ends="2026-02-01", shares={village: -5})
    target = do_create_target(tz, name="x", unit="人", area=township, starts="2026-01-01", ends="2026-12-31", shares={village: 10})
    share = target.shares.get()
    outside = next(v for v in world.villages if not v.code.startswith(township.prefix))
    with pytest.raises(NotPermitted):
        do_report_progress(staff_of(world, outside), share, quantity=1, reported_on="2026-03-01")
    with pytest.raises(InvalidInput, match="不在目标期间"):
        do_report_progress(tz, share, quantity=1, reported_on="2025-03-01")


@hsettings(deadline=None, max_examples=60)
@given(st.integers(1, 3650), st.integers(-100, 4000))
def test_the_elapsed_share_runs_from_zero_to_one(length, offset):
    target = Target(starts=dt.date(2026, 1, 1), ends=dt.date(2026, 1, 1) + dt.timedelta(days=length))
    share = elapsed_share(target, dt.date(2026, 1, 1) + dt.timedelta(days=offset))
    assert Decimal(0) <= share <= Decimal(1)
    assert (share == 0) == (offset <= 0) and (share == 1) == (offset >= length)
