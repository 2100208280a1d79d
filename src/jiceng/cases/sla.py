"""Deadlines in working time on China's official calendar: the one deadline module.

Everything about time limits lives here: which days are working days (the
official calendar with 调休 make-up days from ``chinese-calendar``, or weekends
plus the administrator's holiday table for years the package does not cover),
the working hours of a day, how a limit in working hours or working days turns
into a due time, how suspension moves a deadline, and the due state a case
shows (:func:`due_status`). Times are stored in UTC and computed in
Asia/Shanghai, which has no daylight saving time.
"""

from __future__ import annotations

import functools
import logging
import threading
import time as monotonic_time
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import chinese_calendar

from .states import PHASE_OF_STATE, RUNNING_STATES, TIMED_STATES

if TYPE_CHECKING:
    from .models import Case, Category

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
PHASES = ("accept", "resolve", "visit")
DEFAULT_WORKING_HOURS = "08:30-12:00,14:30-17:30"
OVERRIDE_CACHE_SECONDS = 300  # other processes see an edited holiday table within this time


class Due:
    """Due states a case can show."""

    NONE = "none"  # no running clock (closed, resolved, no deadline)
    NORMAL = "normal"
    DUE_SOON = "due_soon"  # 临期
    OVERDUE = "overdue"  # 超期


# --- settings -------------------------------------------------------------

def _setting(name: str, default: Any) -> Any:
    from django.conf import settings

    return getattr(settings, name, default) if settings.configured else default


@functools.lru_cache(maxsize=16)
def _parse_periods(spec: str) -> tuple[tuple[time, time], ...]:
    periods = []
    for part in spec.split(","):
        start, _sep, end = part.strip().partition("-")
        a, b = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
        if b <= a or (periods and a < periods[-1][1]):
            raise ValueError(f"JICENG_WORKING_HOURS: “{part}” must be ascending, non-overlapping periods")
        periods.append((a, b))
    if not periods:
        raise ValueError("JICENG_WORKING_HOURS: at least one period is required")
    return tuple(periods)


def working_periods() -> tuple[tuple[time, time], ...]:
    """The working periods of a working day, e.g. 08:30–12:00 and 14:30–17:30."""
    return _parse_periods(_setting("JICENG_WORKING_HOURS", DEFAULT_WORKING_HOURS))


def working_day_seconds() -> int:
    """Length of one working day in seconds (6.5 hours by default)."""
    return sum((b.hour * 3600 + b.minute * 60) - (a.hour * 3600 + a.minute * 60) for a, b in working_periods())


def end_of_working_day() -> time:
    """When the last working period of a day ends (17:30 by default)."""
    return working_periods()[-1][1]


# --- the calendar ----------------------------------------------------------

_warned_years: set[int] = set()
MAX_WARNED_YEARS = 5  # an absurd date must not log (or mark) every year it crosses
# Working time is counted over at most this span: an absurd deadline (year 1, 2100)
# must not make every read walk its days; the count is clamped at the far end.
MAX_COUNTED_SPAN = timedelta(days=3 * 366)
_overrides: dict[int, tuple[float, dict[date, bool]]] = {}
_overrides_lock = threading.Lock()


@functools.lru_cache(maxsize=16384)
def _official(day: date) -> bool | None:
    """The official calendar's answer, or None for a year the package does not cover."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def covered_by_official_calendar(year: int) -> bool:
    """Whether chinese-calendar knows the holidays of ``year``."""
    return _official(date(year, 6, 1)) is not None and _official(date(year, 12, 31)) is not None


def _override_table(year: int) -> dict[date, bool]:
    """The administrator's holiday table for one year, cached for a few minutes."""
    now = monotonic_time.monotonic()
    with _overrides_lock:
        hit = _overrides.get(year)
        if hit and now - hit[0] < OVERRIDE_CACHE_SECONDS:
            return hit[1]
    try:
        from django.db import DatabaseError

        from .models import WorkdayOverride

        try:
            table = dict(WorkdayOverride.objects.filter(day__year=year).values_list("day", "is_workday"))
        except DatabaseError:  # table not migrated yet: weekends only, never crash
            log.warning("the holiday table cannot be read; counting weekdays only for %s", year)
            table = {}
    except Exception:  # noqa: BLE001 - outside Django (pure calculations): no table
        table = {}
    with _overrides_lock:
        _overrides[year] = (now, table)
    return table


def forget_overrides() -> None:
    """Drop the cached holiday table (called when an administrator edits it)."""
    with _overrides_lock:
        _overrides.clear()


def _warn_once(year: int) -> None:
    """Warn about a year the official calendar lacks: once per year and process, for a bounded number of years."""
    if year in _warned_years:
        return
    _warned_years.add(year)
    if len(_warned_years) > MAX_WARNED_YEARS:
        if len(_warned_years) == MAX_WARNED_YEARS + 1:
            log.warning("chinese-calendar lacks further years (e.g. %s); not warning about more in this process", year)
        return
    _warn_missing_year(year)


def is_working_day(day: date) -> bool:
    """Official working day, with 调休 make-up days.

    For a year chinese-calendar does not cover: the holiday table
    (WorkdayOverride) where it has a row, otherwise Monday to Friday; a
    warning is logged once per year and process.
    """
    official = _official(day)
    if official is not None:
        return official
    if day.year not in _warned_years:  # once per year and process, not per call
        _warn_once(day.year)
    table = _override_table(day.year)
    if day in table:
        return table[day]
    return day.weekday() < 5


def _warn_missing_year(year: int) -> None:
    """Log the gap once: a marker file in the data directory spares cron's minute-by-minute runs."""
    message = "chinese-calendar has no data for %s; using weekends and the holiday table"
    try:
        from django.conf import settings

        marker = Path(settings.DATA_DIR) / f".calendar-warned-{year}"
        if abs(year - date.today().year) > 2:
            log.info(message, year)  # a far year comes from bad data, not the calendar: no marker file
            return
        if marker.exists():
            log.info(message, year)
            return
        marker.touch()
    except Exception:  # noqa: BLE001 - no settings or read-only data dir: warn per process
        pass
    log.warning(message, year)


def coverage_warning(today: date) -> str | None:
    """A warning when the current or the next year is not on the official calendar."""
    from django.utils.translation import gettext as _

    missing = [y for y in (today.year, today.year + 1) if not covered_by_official_calendar(y)]
    if not missing:
        return None
    return _(
        "The official holiday calendar does not cover %(years)s. Enter that year's public holidays and make-up working days "
        "in the holiday table, otherwise only weekends are treated as days off."
    ) % {"years": "、".join(str(y) for y in missing)}


# --- claimed times ----------------------------------------------------------

def claimed_time_window() -> tuple[timedelta, timedelta]:
    """How far before and after the server clock a client's claimed time may lie."""
    return (timedelta(days=float(_setting("CLAIMED_TIME_MAX_AGE_DAYS", 7))),
            timedelta(minutes=float(_setting("CLAIMED_TIME_MAX_AHEAD_MINUTES", 5))))


def check_claimed_time(value: Any, now: datetime, *, field: str, label: str) -> datetime:
    """A client's claimed time (e.g. when a sensor raised an alert), refused outside the sane window.

    The claim is recorded as data; a case's own times always come from the
    server clock. Returns the claimed time.
    """
    from django.utils.translation import gettext as _

    from .errors import InvalidInput

    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(_("%(label)s must be a date and time with a time zone") % {"label": label}, field=field)
    back, ahead = claimed_time_window()
    if value < now - back:
        raise InvalidInput(
            _("%(label)s is more than %(days)s days in the past") % {"label": label, "days": f"{back.total_seconds() / 86400:g}"}, field=field
        )
    if value > now + ahead:
        raise InvalidInput(
            _("%(label)s is more than %(minutes)s minutes in the future") % {"label": label, "minutes": f"{ahead.total_seconds() / 60:g}"},
            field=field,
        )
    return value


# --- working-time arithmetic ----------------------------------------------

def _periods_on(day: date) -> list[tuple[datetime, datetime]]:
    if not is_working_day(day):
        return []
    return [(datetime.combine(day, a, tzinfo=SHANGHAI), datetime.combine(day, b, tzinfo=SHANGHAI)) for a, b in working_periods()]


def _local(t: datetime) -> datetime:
    if t.tzinfo is None:
        raise ValueError("working-time arithmetic needs timezone-aware datetimes")
    return t.astimezone(SHANGHAI)


def next_working_instant(start: datetime) -> datetime:
    """``start`` if it falls inside a working period, else the start of the next one."""
    local = _local(start)
    day = local.date()
    for _i in range(3700):  # ten years of days off would be a broken calendar
        for ps, pe in _periods_on(day):
            if local < pe:
                return max(local, ps)
        day += timedelta(days=1)
    raise ValueError("no working day within ten years")


def add_working_time(start: datetime, seconds: float) -> datetime:
    """The instant ``seconds`` of working time after ``start``.

    Counting begins at the next working period if ``start`` lies outside
    working hours. The result is always inside (or at the end of) a working
    period of a working day.
    """
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    local = _local(start)
    remaining = timedelta(seconds=seconds)
    day = local.date()
    for _i in range(3700 + int(seconds // 3600)):
        for ps, pe in _periods_on(day):
            if local > pe:
                continue
            begin = max(local, ps)
            available = pe - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += timedelta(days=1)
    raise ValueError("no working day within ten years")


def working_seconds_between(a: datetime, b: datetime) -> int:
    """Working seconds from ``a`` to ``b``; negative when ``b`` is before ``a``."""
    if b < a:
        return -working_seconds_between(b, a)
    if b - a > MAX_COUNTED_SPAN:  # keep the part nearer the present; the far end adds nothing a reader can use
        now = datetime.now(SHANGHAI)
        if abs(a - now) <= abs(b - now):
            b = a + MAX_COUNTED_SPAN
        else:
            a = b - MAX_COUNTED_SPAN
    la, lb = _local(a), _local(b)
    total = timedelta()
    day = la.date()
    while day <= lb.date():
        for ps, pe in _periods_on(day):
            lo, hi = max(ps, la), min(pe, lb)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return int(total.total_seconds())


def subtract_working_time(end: datetime, seconds: float) -> datetime:
    """The latest instant with ``seconds`` of working time before ``end`` (the mirror of :func:`add_working_time`).

    From that instant on, at most ``seconds`` of working time remain until
    ``end``: where a case with deadline ``end`` becomes due soon.
    """
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    local = _local(end)
    remaining = timedelta(seconds=seconds)
    day = local.date()
    for _i in range(3700 + int(seconds // 3600)):
        for ps, pe in reversed(_periods_on(day)):
            if ps >= local:
                continue
            finish = min(local, pe)
            available = finish - ps
            if remaining <= available:
                return finish - remaining
            remaining -= available
        day -= timedelta(days=1)
    raise ValueError("no working day within ten years")


def add_working_days(start: datetime, days: int) -> datetime:
    """The end of the ``days``-th working day after the day counting starts.

    As in Chinese law on periods (the first day is not counted, 次日起算), the
    day on which counting starts is not counted; a start outside working hours
    counts from the next working period. Zero days: the end of that day.
    """
    first = next_working_instant(start).date()
    day, remaining = first, days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.combine(day, end_of_working_day(), tzinfo=SHANGHAI)


# --- limits ----------------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    """A time limit: ``amount`` working hours (``unit`` "h") or working days ("d")."""

    amount: int
    unit: str

    def seconds(self) -> int:
        """Nominal length in working seconds (a working day = the working hours of a day)."""
        return self.amount * (3600 if self.unit == "h" else working_day_seconds())

    def due(self, start: datetime) -> datetime:
        """The due time of this limit for a clock started at ``start``."""
        if self.unit == "h":
            return add_working_time(start, self.amount * 3600)
        return add_working_days(start, self.amount)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def _base_from_columns(category: "Category") -> dict[str, list]:
    return {"accept": [category.accept_hours, "h"], "resolve": [category.resolve_days, "d"], "visit": [category.visit_days, "d"]}


def limit_for(category: "Category", urgency: str, phase: str, level: str | None = None) -> Limit:
    """The limit of ``phase`` for a case of ``category`` and ``urgency`` at tier ``level``.

    ``category.sla`` holds the table loaded from the configuration with
    inheritance already applied: ``base``, overlaid by ``level[level]``, then
    by ``urgency[urgency]`` (an urgent matter is urgent at every tier).
    """
    table = category.sla or {}
    chosen = (table.get("base") or _base_from_columns(category)).get(phase) or _base_from_columns(category)[phase]
    if level and (by_level := (table.get("level") or {}).get(level, {}).get(phase)):
        chosen = by_level
    if by_urgency := (table.get("urgency") or {}).get(urgency, {}).get(phase):
        chosen = by_urgency
    return Limit(int(chosen[0]), str(chosen[1]))


def deadline_for(category: "Category", urgency: str, phase: str, level: str | None, start: datetime) -> datetime:
    """The due time of ``phase`` for a clock started at ``start``."""
    return limit_for(category, urgency, phase, level).due(start)


def reply_deadline(supervised_at: datetime) -> datetime:
    """By when the holder of a case must answer a supervision (督办): JICENG_SUPERVISE_REPLY_DAYS working days."""
    return add_working_days(supervised_at, int(_setting("JICENG_SUPERVISE_REPLY_DAYS", 2)))


def reply_is_overdue(case: "Case", now: datetime) -> bool:
    """Whether the answer to the latest supervision of ``case`` is overdue at ``now``."""
    return case.reply_by is not None and now > case.reply_by


def resumed_deadline(deadline: datetime | None, suspended_at: datetime | None, now: datetime) -> datetime | None:
    """The deadline after a suspension: moved by the working time the case was paused."""
    if deadline is None or suspended_at is None:
        return deadline
    paused = working_seconds_between(suspended_at, now)
    return add_working_time(deadline, paused) if paused > 0 else deadline


# --- what a case shows -----------------------------------------------------

_PHASE_OF_STATE = {str(state): phase for state, phase in PHASE_OF_STATE.items()}


@dataclass(frozen=True)
class DueStatus:
    """Due time, working time left (negative when overdue) and due state of a case."""

    due_at: datetime | None
    left: timedelta | None
    state: str
    paused: bool = False
    phase: str = ""

    @property
    def is_overdue(self) -> bool:
        return self.state == Due.OVERDUE

    @property
    def left_text(self) -> str:
        """Working time left as “2d 3h 5m”-style text in the user's language."""
        from django.utils.translation import gettext as _

        if self.left is None:
            return ""
        seconds = int(abs(self.left.total_seconds()))
        day = working_day_seconds()
        d, rest = divmod(seconds, day)
        h, rest = divmod(rest, 3600)
        m = rest // 60
        parts = []
        if d:
            parts.append(_("%(n)s working days") % {"n": d})
        if h:
            parts.append(_("%(n)s h") % {"n": h})
        if m or not parts:
            parts.append(_("%(n)s min") % {"n": m})
        text = " ".join(parts)
        return (_("%(time)s overdue") if self.state == Due.OVERDUE else _("%(time)s left")) % {"time": text}


def overdue_q(now: datetime):
    """A filter for cases overdue at ``now`` (for counts; due_status agrees case by case)."""
    return overdue_running_q(now) | overdue_suspended_q()


def overdue_running_q(now: datetime):
    """The overdue cases whose clock runs (the partial index case_running_deadline serves it in deadline order)."""
    from django.db.models import Q

    return Q(state__in=RUNNING_STATES, deadline__lt=now)


def overdue_suspended_q():
    """The suspended cases that were already overdue when suspended."""
    from django.db.models import F, Q

    return Q(state="suspended", deadline__lt=F("suspended_at"))


def due_soon_share() -> float:
    """Share of the limit left at which a case becomes due soon (临期)."""
    return float(_setting("JICENG_DUE_SOON_SHARE", 0.2))


def is_overdue(case: "Case", now: datetime) -> bool:
    """Whether ``case`` is overdue at ``now`` (as due_status says, without reading its category)."""
    if case.state not in TIMED_STATES or case.deadline is None:
        return False
    paused = case.state == "suspended" and case.suspended_at is not None
    return (case.suspended_at if paused else now) > case.deadline


def due_status(case: "Case", now: datetime) -> DueStatus:
    """The due time, working time left and due state of ``case`` at ``now``.

    The one place the case list, case detail, API and ``tick`` get this from.
    While a case is suspended its clock stands still at the suspension.
    """
    phase = _PHASE_OF_STATE.get(case.state)
    if phase is None or case.deadline is None:
        return DueStatus(case.deadline, None, Due.NONE)
    paused = case.state == "suspended" and case.suspended_at is not None
    reference = case.suspended_at if paused else now
    due_at = case.deadline
    if reference > due_at:
        return DueStatus(due_at, -timedelta(seconds=working_seconds_between(due_at, reference)), Due.OVERDUE, paused, phase)
    left = working_seconds_between(reference, due_at)
    window = due_soon_share() * limit_for(case.category, case.urgency, phase, case.level).seconds()
    state = Due.DUE_SOON if left <= window else Due.NORMAL
    return DueStatus(due_at, timedelta(seconds=left), state, paused, phase)
