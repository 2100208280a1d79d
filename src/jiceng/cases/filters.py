"""One case filter for the web list, the REST list and exports (like a NetBox filterset).

Callers pass a queryset that already went through the scoped query layer;
filters only narrow it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _, gettext_lazy

from jiceng.sealed import blind_indexes

from jiceng.areas.codes import subtree_prefix
from jiceng.areas.models import subtree_q

from .errors import InvalidInput
from .sla import overdue_q
from .states import OPEN_STATES, Channel, State, Urgency

MIN_YEAR, MAX_YEAR = 1900, 2200
ID_LIMIT = 2**63 - 1

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _whole_number(value: str, field: str) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 19):
        label = _("The responsible unit") if field == "unit" else _("The page position")
        raise InvalidInput(_("%(label)s must be a whole number") % {"label": label}, field=field)
    return int(value)


def _moment(value: str, field: str) -> datetime | None:
    """A date (2026-10-01, the start of that day) or an ISO date-time, in the site's time zone when naive."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        label = _("The start time") if field == "created_after" else _("The end time")
        raise InvalidInput(_("%(label)s must be a date such as 2026-10-01") % {"label": label}, field=field) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@dataclass
class CaseFilter:
    """What a case list may be narrowed by; empty values mean no filter."""

    state: str = ""  # a state, or "open"
    category: str = ""  # a category code: itself and its subcategories
    area: str = ""  # an area code or code prefix
    q: str = ""  # a case number, or words in the title, description, address or village name
    unit: int | None = None
    overdue: bool = False
    supervised: bool = False  # 督办: supervised at least once
    created_after: datetime | None = None
    created_before: datetime | None = None
    urgency: str = ""
    channel: str = ""
    before: int | None = None  # keyset: only cases with a smaller id

    @classmethod
    def from_params(cls, params: Any) -> "CaseFilter":
        """Build from a QueryDict or dict of strings (web query string); filter_cases refuses bogus values."""
        get = params.get
        unit, before = str(get("unit", "") or "").strip(), str(get("before", "") or "").strip()
        return cls(
            state=(get("state", "") or "").strip(), category=get("category", "") or "", area=(get("area", "") or "").strip(),
            q=(get("q", "") or "").strip(), unit=_whole_number(unit, "unit"),
            overdue=get("overdue", "") in ("1", "true", "on"), before=_whole_number(before, "before"),
            supervised=get("supervised", "") in ("1", "true", "on"),
            created_after=_moment(str(get("created_after", "") or "").strip(), "created_after"),
            created_before=_moment(str(get("created_before", "") or "").strip(), "created_before"),
            urgency=str(get("urgency", "") or "").strip(), channel=str(get("channel", "") or "").strip(),
        )

    def as_query(self) -> dict[str, str]:
        """The non-empty filters as query-string values (for next-page links)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in ("", None, False) and f.name != "before":
                out[f.name] = value.isoformat() if isinstance(value, datetime) else ("1" if value is True else str(value))
        return out


def check_filter(f: CaseFilter) -> None:
    """Refuse values no case could match by mistake: a bogus state, a non-code area, absurd ids and dates.

    A filter that silently ignored ``state=bogus`` would answer "everything"
    to a caller who asked for something.
    """
    from jiceng.textcheck import has_control_character

    if f.state and f.state != "open" and f.state not in State.values:
        raise InvalidInput(_("Unknown state “%(value)s”: use one of %(states)s or open")
                           % {"value": f.state[:40], "states": "、".join(f"{value}（{label}）" for value, label in State.choices)},
                           field="state")
    if f.urgency and f.urgency not in Urgency.values:
        raise InvalidInput(_("Unknown urgency “%(value)s”") % {"value": f.urgency[:40]}, field="urgency")
    if f.channel and f.channel not in Channel.values:
        raise InvalidInput(_("Unknown channel “%(value)s”") % {"value": f.channel[:40]}, field="channel")
    if f.area and not (f.area.isascii() and f.area.isdigit() and len(f.area) <= 12):
        raise InvalidInput(_("The area must be an area code of at most 12 digits"), field="area")
    for name in ("category", "q"):
        value = getattr(f, name)
        if has_control_character(value) or len(value) > 200:
            label = _("The category") if name == "category" else _("The search words")
            raise InvalidInput(_("%(label)s is not valid (too long or with control characters)") % {"label": label}, field=name)
    for name in ("unit", "before"):
        value = getattr(f, name)
        if value is not None and not 0 <= value <= ID_LIMIT:
            label = _("The responsible unit") if name == "unit" else _("The page position")
            raise InvalidInput(_("%(label)s is out of range") % {"label": label}, field=name)
    for name in ("created_after", "created_before"):
        value = getattr(f, name)
        if value is not None and not MIN_YEAR + 1 <= value.year <= MAX_YEAR - 1:
            label = _("The start time") if name == "created_after" else _("The end time")
            raise InvalidInput(_("%(label)s must lie between the years %(low)s and %(high)s")
                               % {"label": label, "low": MIN_YEAR + 1, "high": MAX_YEAR - 1}, field=name)


def _looks_like_phone(text: str) -> bool:
    digits = text.replace("-", "").replace(" ", "")
    return digits.isascii() and digits.isdigit() and 7 <= len(digits) <= 12


def filter_cases(qs: QuerySet, f: CaseFilter, now: datetime | None = None, *, by_phone: bool = False) -> QuerySet:
    """Narrow a scoped case queryset by ``f`` (no ordering or slicing); InvalidInput for bogus values.

    ``by_phone`` (access.may_search_by_phone decides) lets a number in ``q`` find the reporter's phone,
    through its keyed hash: the phone column itself is encrypted and never searched.
    """
    check_filter(f)
    if f.state in State.values:
        qs = qs.filter(state=f.state)
    elif f.state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    if f.category:
        qs = qs.filter(Q(category__code=f.category) | Q(category__parent__code=f.category))
    if f.area and f.area.isdigit() and len(f.area) <= 12:
        qs = qs.filter(subtree_q("area_id", subtree_prefix(f.area)))
    if f.q:
        words = (Q(number=f.q) | Q(title__contains=f.q) | Q(description__contains=f.q)
                 | Q(address__contains=f.q) | Q(area__name__contains=f.q))
        if by_phone and _looks_like_phone(f.q):
            words |= Q(reporter_phone_index__in=blind_indexes(f.q, "phone"))
        qs = qs.filter(words)
    if f.unit is not None:
        qs = qs.filter(unit_id=f.unit)
    if f.overdue:
        qs = qs.filter(overdue_q(now or timezone.now()))
    if f.supervised:
        qs = qs.filter(supervise_count__gt=0)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.created_after:
        qs = qs.filter(created_at__gte=f.created_after)
    if f.created_before:
        qs = qs.filter(created_at__lt=f.created_before)
    if f.before is not None:
        qs = qs.filter(pk__lt=f.before)
    return qs


def page_of(qs: QuerySet, size: int = PAGE_SIZE) -> tuple[list, int | None]:
    """One keyset page, newest first: ``(items, next_before)``; stable and fast at any depth."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    items = list(qs.order_by("-pk")[: size + 1])
    more = len(items) > size
    items = items[:size]
    return items, (items[-1].pk if more and items else None)


# --- counts ----------------------------------------------------------------------------

COUNT_CAP = 10_000  # beyond this a list says "10,000+": an exact count would read the whole share (docs/scaling.md)


@dataclass(frozen=True)
class Count:
    """How many rows a list holds, counted up to a cap: ``more`` means at least ``n``."""

    n: int
    more: bool = False

    def __bool__(self) -> bool:
        return self.n > 0

    def __str__(self) -> str:
        return f"{self.n:,}+" if self.more else str(self.n)


def count_upto(qs: QuerySet, cap: int | None = None) -> Count:
    """Count ``qs`` but stop after ``cap`` rows (COUNT_CAP): a county-wide list costs what its first pages cost, not the whole table."""
    cap = COUNT_CAP if cap is None else cap
    n = qs.order_by()[: cap + 1].count()
    return Count(min(n, cap), n > cap)


# --- sorted pages --------------------------------------------------------------------

SORTS = {
    "new": gettext_lazy("Newest first"),
    "old": gettext_lazy("Oldest first"),
    "deadline": gettext_lazy("Soonest deadline first"),
}


def ordered(qs: QuerySet, sort: str) -> QuerySet:
    """``qs`` in a SORTS order; every order ends on the id, so keyset pages neither skip nor repeat."""
    if sort == "old":
        return qs.order_by("pk")
    if sort == "deadline":
        return qs.order_by(F("deadline").asc(nulls_last=True), "pk")  # overdue first, no deadline last
    return qs.order_by("-pk")


def _cursor_of(case: Any, sort: str) -> str:
    if sort == "deadline":
        return f"{case.deadline.isoformat() if case.deadline else '-'}~{case.pk}"
    return str(case.pk)


def _after(qs: QuerySet, sort: str, cursor: str) -> QuerySet:
    """The rows after ``cursor`` in ``sort`` order; a malformed cursor starts from the top."""
    if sort != "deadline":
        if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 19):
            return qs
        return qs.filter(pk__gt=int(cursor)) if sort == "old" else qs.filter(pk__lt=int(cursor))
    deadline_text, _sep, pk_text = cursor.partition("~")
    if not (pk_text.isascii() and pk_text.isdigit() and len(pk_text) <= 19):
        return qs
    pk = int(pk_text)
    if deadline_text == "-":
        return qs.filter(deadline__isnull=True, pk__gt=pk)
    try:
        deadline = parse_datetime(deadline_text)
    except ValueError:
        deadline = None
    if deadline is None:
        return qs
    return qs.filter(Q(deadline__gt=deadline) | Q(deadline=deadline, pk__gt=pk) | Q(deadline__isnull=True))


def sorted_page(qs: QuerySet, sort: str = "new", cursor: str = "", size: int = PAGE_SIZE) -> tuple[list, str | None]:
    """One keyset page of ``qs`` in ``sort`` order and the cursor of the next page (None on the last)."""
    sort = sort if sort in SORTS else "new"
    size = max(1, min(size, MAX_PAGE_SIZE))
    rows = list(ordered(_after(qs, sort, cursor), sort)[: size + 1])
    if len(rows) > size:
        return rows[:size], _cursor_of(rows[size - 1], sort)
    return rows, None
