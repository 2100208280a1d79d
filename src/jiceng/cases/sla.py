"""Deadlines in working days on China's official calendar (chinese-calendar)."""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(17, 30)


_warned_years: set[int] = set()


@functools.lru_cache(maxsize=8192)
def is_working_day(day: date) -> bool:
    """Official working day, with 调休 make-up days; weekends only outside the package's years."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:  # warn once per year, not per call
            _warned_years.add(day.year)
            log.warning("chinese-calendar has no data for %s; counting weekdays only", day.year)
        return day.weekday() < 5


def add_working_days(start: datetime, days: int) -> datetime:
    """The end of the ``days``-th working day after ``start`` (Asia/Shanghai 17:30)."""
    day = start.astimezone(SHANGHAI).date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)
