"""Reporting periods: a week (Monday to Sunday) or a calendar month, with the one before (环比) and the year before (同比)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from jiceng.cases.errors import InvalidInput

WEEK = "week"
MONTH = "month"


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # exclusive

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{self.start.year}年{self.start.month}月"
        iso = self.start.isocalendar()
        last = self.end - timedelta(days=1)
        return f"{iso.year}年第{iso.week}周（{self.start:%m.%d}–{last:%m.%d}）"

    @property
    def key(self) -> str:
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        iso = self.start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"

    def previous(self) -> "Period":
        """The period just before (环比)."""
        if self.kind == WEEK:
            return Period(WEEK, self.start - timedelta(days=7), self.start)
        return month_of(self.start - timedelta(days=1))

    def year_before(self) -> "Period":
        """The same period a year earlier (同比): the same ISO week or calendar month."""
        if self.kind == WEEK:
            iso = self.start.isocalendar()
            try:
                return week_of(date.fromisocalendar(iso.year - 1, iso.week, 1))
            except ValueError:  # week 53 of a year whose predecessor had 52
                return week_of(date.fromisocalendar(iso.year - 1, 52, 1))
        return month_of(self.start.replace(year=self.start.year - 1))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return Period(MONTH, start, end)


def week_of(day: date) -> Period:
    start = day - timedelta(days=day.weekday())
    return Period(WEEK, start, start + timedelta(days=7))


def parse_period(kind: str, text: str, today: date) -> Period:
    """``2026-10`` (a month), ``2026-W42`` or ``2026-10-14`` (the week containing the day); empty: the current one."""
    text = (text or "").strip()
    if kind not in (WEEK, MONTH):
        raise InvalidInput(_("The report kind must be weekly or monthly"), field="kind")
    if not text:
        return week_of(today) if kind == WEEK else month_of(today)
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            month = month_of(date(int(m[1]), int(m[2]), 1))
            return month if kind == MONTH else week_of(month.start)
        if m := re.fullmatch(r"(\d{4})-?W(\d{1,2})", text, re.IGNORECASE):
            return week_of(date.fromisocalendar(int(m[1]), int(m[2]), 1)) if kind == WEEK else month_of(
                date.fromisocalendar(int(m[1]), int(m[2]), 1))
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("The period “%(text)s” is not a valid date") % {"text": text[:20]}, field="period") from None
    if not 1901 <= day.year <= 2199:
        raise InvalidInput(_("The period must lie between the years 1901 and 2199"), field="period")
    return week_of(day) if kind == WEEK else month_of(day)
