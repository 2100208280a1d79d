"""Working time on China's official calendar: real holidays, 调休 and a year the package lacks."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.cases import sla
from jiceng.cases.sla import SHANGHAI, add_working_days, add_working_time, is_working_day, working_seconds_between

H = 3600


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_spring_festival_2025_is_off_and_its_make_up_days_are_worked():
    assert not any(is_working_day(date(2025, 1, 28) + timedelta(days=i)) for i in range(8))  # 1月28日—2月4日
    assert is_working_day(date(2025, 1, 26))  # Sunday, make-up working day
    assert is_working_day(date(2025, 2, 8))  # Saturday, make-up working day
    assert is_working_day(date(2025, 2, 5))


def test_working_days_count_the_make_up_sunday_and_skip_spring_festival_2025():
    start = sh(2025, 1, 24, 10)  # Friday before the holiday
    assert add_working_days(start, 1) == sh(2025, 1, 26, 17, 30)
    assert add_working_days(start, 2) == sh(2025, 1, 27, 17, 30)
    assert add_working_days(start, 3) == sh(2025, 2, 5, 17, 30)


def test_working_hours_jump_over_spring_festival_2026():
    assert add_working_time(sh(2026, 2, 13, 17), 1 * H) == sh(2026, 2, 14, 9)  # into the make-up Saturday
    assert add_working_time(sh(2026, 2, 14, 17), 1 * H) == sh(2026, 2, 24, 9)  # 2月15日—23日 off
    assert is_working_day(date(2026, 2, 28)) and not is_working_day(date(2026, 2, 21))


def test_national_day_2025_and_its_make_up_days():
    assert add_working_time(sh(2025, 9, 30, 18), 1 * H) == sh(2025, 10, 9, 9, 30)
    assert add_working_time(sh(2025, 9, 27, 10), 1 * H) == sh(2025, 9, 28, 9, 30)  # Saturday off, Sunday 28th worked
    assert is_working_day(date(2025, 10, 11))  # make-up Saturday
    assert working_seconds_between(sh(2025, 9, 30, 17), sh(2025, 10, 9, 9, 30)) == 5400


def test_a_case_submitted_at_night_starts_counting_next_morning():
    assert add_working_time(sh(2026, 3, 3, 23, 10), 2 * H) == sh(2026, 3, 4, 10, 30)
    assert add_working_time(sh(2026, 3, 3, 6, 0), 30 * 60) == sh(2026, 3, 3, 9, 0)


def test_a_case_submitted_at_lunchtime_waits_for_the_afternoon_period():
    assert add_working_time(sh(2026, 3, 3, 12, 30), 1 * H) == sh(2026, 3, 3, 15, 30)
    assert add_working_time(sh(2026, 3, 3, 11, 0), 2 * H) == sh(2026, 3, 3, 15, 30)


def test_a_case_submitted_on_a_weekend_or_holiday_starts_on_the_next_working_day():
    assert add_working_time(sh(2026, 3, 7, 10), 2 * H) == sh(2026, 3, 9, 10, 30)  # Saturday → Monday
    assert add_working_days(sh(2026, 3, 7, 10), 1) == sh(2026, 3, 10, 17, 30)  # counting starts Monday, not counted
    assert add_working_time(sh(2025, 10, 3, 10), 1 * H) == sh(2025, 10, 9, 9, 30)  # in the National Day holiday


def test_day_limits_do_not_count_the_first_day():
    assert add_working_days(sh(2026, 3, 2, 9), 1) == sh(2026, 3, 3, 17, 30)
    assert add_working_days(sh(2026, 3, 6, 17, 0), 1) == sh(2026, 3, 9, 17, 30)  # Friday afternoon
    assert add_working_days(sh(2026, 3, 6, 18, 0), 1) == sh(2026, 3, 10, 17, 30)  # Friday evening: counts from Monday


def test_times_computed_in_shanghai_are_the_same_instants_in_utc():
    utc_start = datetime(2026, 3, 3, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
    due = add_working_time(utc_start, 1 * H)
    assert due == datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)


def test_working_hours_come_from_settings(settings):
    settings.JICENG_WORKING_HOURS = "09:00-12:00,13:30-18:00"
    assert sla.working_day_seconds() == int(7.5 * H)
    assert add_working_time(sh(2026, 3, 3, 11), 2 * H) == sh(2026, 3, 3, 14, 30)
    assert add_working_days(sh(2026, 3, 3, 11), 1) == sh(2026, 3, 4, 18, 0)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        add_working_time(datetime(2026, 3, 3, 9), 60)


# --- a year chinese-calendar does not cover --------------------------------

@pytest.fixture
def fresh_table(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    sla.forget_overrides()
    sla._warned_years.discard(2027)
    yield
    sla.forget_overrides()


@pytest.mark.django_db
def test_a_missing_year_falls_back_to_weekends_and_warns_once(fresh_table, caplog):
    assert not sla.covered_by_official_calendar(2027)
    with caplog.at_level(logging.WARNING, logger="jiceng.cases.sla"):
        assert is_working_day(date(2027, 2, 8))  # a Monday: working without a table row
        assert not is_working_day(date(2027, 2, 6))  # a Saturday
        add_working_days(sh(2027, 1, 4, 9), 30)
    assert sum("2027" in r.getMessage() for r in caplog.records) == 1
    sla._warned_years.discard(2027)  # a new process (cron's next tick) ...
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="jiceng.cases.sla"):
        is_working_day(date(2027, 2, 8))
    assert not caplog.records, "... does not warn again: the log says it once"


@pytest.mark.django_db
def test_the_holiday_table_fills_a_missing_year(fresh_table):
    from jiceng.cases.models import WorkdayOverride

    for i in range(8):
        WorkdayOverride.objects.create(day=date(2027, 2, 6) + timedelta(days=i), name="春节")
    WorkdayOverride.objects.create(day=date(2027, 2, 20), is_workday=True, name="春节调休")
    assert not is_working_day(date(2027, 2, 8)) and not is_working_day(date(2027, 2, 12))
    assert is_working_day(date(2027, 2, 20))  # a make-up Saturday
    assert add_working_time(sh(2027, 2, 5, 17), 1 * H) == sh(2027, 2, 15, 9)
    WorkdayOverride.objects.filter(day=date(2027, 2, 8)).delete()
    assert is_working_day(date(2027, 2, 8)), "an edited table takes effect at once"


@pytest.mark.django_db
def test_the_table_does_not_override_the_official_calendar(fresh_table):
    from jiceng.cases.models import WorkdayOverride

    WorkdayOverride.objects.create(day=date(2026, 3, 3), name="not a holiday")
    assert is_working_day(date(2026, 3, 3))


def test_the_coverage_warning_names_the_missing_year():
    assert "2027" in sla.coverage_warning(date(2026, 11, 23))
    assert sla.coverage_warning(date(2025, 6, 1)) is None


@pytest.mark.django_db
def test_the_admin_warns_when_next_year_is_not_covered(admin_client, fresh_table, monkeypatch):
    from django.utils import timezone as dj_tz

    monkeypatch.setattr(dj_tz, "localdate", lambda *a, **k: date(2026, 11, 23))
    page = admin_client.get("/admin/cases/workdayoverride/", follow=True).content.decode()
    assert "2027" in page


# --- properties --------------------------------------------------------------

starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 9, 30), timezones=st.just(SHANGHAI))
amounts = st.integers(min_value=0, max_value=400 * H)


def _is_working_instant(t: datetime) -> bool:
    local = t.astimezone(SHANGHAI)
    if not is_working_day(local.date()):
        return False
    return any(a <= local.time() <= b for a, b in sla.working_periods())


@settings(max_examples=200, deadline=None)
@given(start=starts, seconds=amounts)
def test_a_deadline_never_falls_on_a_non_working_instant(start, seconds):
    assert _is_working_instant(add_working_time(start, seconds))


@settings(max_examples=200, deadline=None)
@given(start=starts, a=amounts, b=amounts)
def test_the_deadline_is_monotone_in_the_limit(start, a, b):
    lo, hi = sorted((a, b))
    assert add_working_time(start, lo) <= add_working_time(start, hi)


@settings(max_examples=200, deadline=None)
@given(start=starts, days_a=st.integers(0, 60), days_b=st.integers(0, 60))
def test_day_deadlines_are_monotone_and_end_a_working_day(start, days_a, days_b):
    lo, hi = sorted((days_a, days_b))
    a, b = add_working_days(start, lo), add_working_days(start, hi)
    assert a <= b and (lo == hi or a < b)
    assert is_working_day(b.date()) and b.timetz().replace(tzinfo=None) == sla.end_of_working_day()


@settings(max_examples=200, deadline=None)
@given(a=starts, b=starts, seconds=amounts)
def test_the_deadline_is_monotone_in_the_start(a, b, seconds):
    lo, hi = sorted((a, b))
    assert add_working_time(lo, seconds) <= add_working_time(hi, seconds)


@settings(max_examples=200, deadline=None)
@given(start=starts, seconds=st.integers(min_value=1, max_value=400 * H))
def test_the_working_time_to_a_deadline_is_the_limit(start, seconds):
    assert working_seconds_between(start, add_working_time(start, seconds)) == seconds


@settings(max_examples=100, deadline=None)
@given(a=starts, b=starts)
def test_working_time_between_is_antisymmetric_and_additive(a, b):
    mid = a + (b - a) / 2
    assert working_seconds_between(a, b) == -working_seconds_between(b, a)
    assert abs(working_seconds_between(a, mid) + working_seconds_between(mid, b) - working_seconds_between(a, b)) <= 1
