"""A client's claimed time is bounded; absurd deadlines never make the calendar walk (or warn about) centuries."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.cases import sla
from jiceng.cases.errors import InvalidInput
from jiceng.cases.models import Case
from jiceng.cases.verify import iter_problems

from .helpers import submit

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)


@given(st.timedeltas(min_value=timedelta(days=-40), max_value=timedelta(days=40)))
def test_a_claimed_time_is_accepted_exactly_within_the_window(offset):
    back, ahead = sla.claimed_time_window()
    claimed = NOW + offset
    if -back <= offset <= ahead:
        assert sla.check_claimed_time(claimed, NOW, field="at", label="告警时间") == claimed
    else:
        with pytest.raises(InvalidInput) as err:
            sla.check_claimed_time(claimed, NOW, field="at", label="告警时间")
        assert err.value.field == "at" and "告警时间" in str(err.value)


def test_a_naive_or_missing_time_is_refused_by_field():
    for value in (None, datetime(2026, 11, 24, 3), "2026-11-24"):
        with pytest.raises(InvalidInput) as err:
            sla.check_claimed_time(value, NOW, field="at", label="告警时间")
        assert err.value.field == "at"


def test_the_window_is_configurable(settings):
    settings.CLAIMED_TIME_MAX_AGE_DAYS = 1
    settings.CLAIMED_TIME_MAX_AHEAD_MINUTES = 0
    with pytest.raises(InvalidInput):
        sla.check_claimed_time(NOW - timedelta(days=2), NOW, field="at", label="告警时间")
    with pytest.raises(InvalidInput):
        sla.check_claimed_time(NOW + timedelta(seconds=1), NOW, field="at", label="告警时间")


def test_working_time_over_centuries_is_counted_over_a_bounded_span(monkeypatch):
    calls = []
    real = sla.is_working_day
    monkeypatch.setattr(sla, "is_working_day", lambda day: calls.append(day) or real(day))
    now = datetime.now(timezone.utc)
    far_past = datetime(1, 1, 2, tzinfo=timezone.utc)
    assert sla.working_seconds_between(far_past, now) == sla.working_seconds_between(now - sla.MAX_COUNTED_SPAN, now)
    assert sla.working_seconds_between(now, datetime(2100, 1, 1, tzinfo=timezone.utc)) == sla.working_seconds_between(now, now + sla.MAX_COUNTED_SPAN)
    assert len(calls) <= 4 * (sla.MAX_COUNTED_SPAN.days + 2), "days looked at are bounded by the span, not the centuries"


@pytest.mark.django_db
def test_a_case_with_a_deadline_in_year_one_shows_overdue_without_marker_files(world, settings):
    case = submit(world)
    Case.objects.filter(pk=case.pk).update(deadline=datetime(1, 1, 3, tzinfo=timezone.utc))
    case.refresh_from_db()
    sla._warned_years.clear()
    status = sla.due_status(case, datetime.now(timezone.utc))
    assert status.state == sla.Due.OVERDUE
    markers = list(Path(settings.DATA_DIR).glob(".calendar-warned-*"))
    assert all(abs(int(m.name.rsplit("-", 1)[1]) - datetime.now().year) <= 2 for m in markers)
    assert len(sla._warned_years) <= sla.MAX_WARNED_YEARS + 1
    assert [p.columns for p in iter_problems()] == [("case.deadline",)], "and verify names the rewritten deadline"
