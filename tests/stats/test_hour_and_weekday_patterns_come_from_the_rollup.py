"""The dashboard's hour-of-day and day-of-week patterns are read from the rollup's hour columns, and agree with the facts."""

from datetime import timedelta

from jiceng.stats import dashboard, metrics
from jiceng.stats.rollups import check

from .helpers import EVERYWHERE, OCTOBER, T0, refreshed, walk


def test_patterns_from_the_rollup_equal_the_facts_counted_by_hour_and_weekday(world):
    # Wednesday 09:00, Wednesday 15:00, Thursday 09:00 and Saturday 22:00 (Asia/Shanghai)
    for offset in (timedelta(0), timedelta(hours=6), timedelta(days=1), timedelta(days=3, hours=13)):
        walk(world, ["accept"], at=T0 + offset)
    refreshed()
    got = dashboard.patterns(EVERYWHERE, OCTOBER)
    assert got["hours"][9] == 2 and got["hours"][15] == 1 and got["hours"][22] == 1 and sum(got["hours"]) == 4
    assert got["weekdays"] == [0, 0, 2, 1, 0, 1, 0]
    by_hour = metrics.counts_by(EVERYWHERE, OCTOBER, "hour")
    by_weekday = metrics.counts_by(EVERYWHERE, OCTOBER, "weekday")
    assert got["hours"] == [by_hour.get(str(h), 0) for h in range(24)]
    assert got["weekdays"] == [by_weekday.get(str(d), 0) for d in range(7)]
    assert check().ok
