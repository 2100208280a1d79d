"""Ledgers (台账): per case type, the columns its officials keep, for the page and the Excel export.

Rows come from ``visible_cases`` narrowed to the statistics scope; people's
names and free text are masked through the case access layer (a ledger lists
many cases at once; unmasking is done case by case on the case page, where it
is logged). Events a column needs (first dispatch, resolution, closure) are
read for a page of cases in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.accounts.models import User
from jiceng.areas.models import Unit
from jiceng.cases import access as case_access
from jiceng.cases.errors import InvalidInput
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.states import OPEN_STATES, Action, Rating, State
from jiceng.people.masking import mask_name
from jiceng.triage.models import AlertCase, Device

from .access import Scope
from .periods import Period

PAGE_ROWS = 200
EXPORT_LIMIT = 50000


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[["Row"], Any]
    total: str = ""  # "count" of non-empty, "sum", or nothing


@dataclass
class Row:
    case: Case
    events: dict[str, list[CaseEvent]]
    alert: AlertCase | None
    site: str
    text: case_access.CaseText

    def first(self, action: str) -> CaseEvent | None:
        got = self.events.get(action)
        return got[0] if got else None

    def last(self, action: str) -> CaseEvent | None:
        got = self.events.get(action)
        return got[-1] if got else None

    def field(self, name: str) -> Any:
        value = (self.case.fields or {}).get(name, "")
        return self.text(value)


def _at(e: CaseEvent | None) -> datetime | None:
    return e.at if e else None


def _unit(row: Row, action: str, units: dict[int, str]) -> str:
    e = row.first(action)
    return units.get(e.unit_id, "") if e and e.unit_id else ""


def _yes(value: Any) -> str:
    return "是" if value is True else ("否" if value is False else "")


def _rating(row: Row) -> str:
    if row.case.rating:
        return str(Rating(row.case.rating).label)
    return "免评：" + row.text(row.case.rating_waiver) if row.case.rating_waiver else ""


def _parties(row: Row) -> str:
    value = (row.case.fields or {}).get("parties") or []
    names = value if isinstance(value, list) else str(value).split(",")
    return "、".join(mask_name(str(n).strip()) for n in names if str(n).strip())


def _state(row: Row) -> str:
    return str(State(row.case.state).label)


def _columns(kind: str, units: dict[int, str]) -> list[Column]:
    common_head = [Column(_("Case number"), lambda r: r.case.number, "count"),
                   Column(_("Village / community"), lambda r: r.case.area.name)]
    state = Column(_("State"), _state)
    if kind == "hazard":
        return common_head + [
            Column(_("Location"), lambda r: r.text(r.case.address) or r.case.area.name),
            Column(_("Category"), lambda r: r.case.category.name),
            Column(_("Hazard level"), lambda r: r.field("hazard_level")),
            Column(_("Found"), lambda r: r.case.created_at),
            Column(_("Rectify by"), lambda r: r.field("rectify_by")),
            Column(_("Measures"), lambda r: r.field("measures")),
            Column(_("Rectified on"), lambda r: _at(r.last(Action.RESOLVE)) if r.case.resolved_level else None, "count"),
            Column(_("Closed on"), lambda r: _at(r.last(Action.CLOSE)), "count"),
            state,
        ]
    if kind == "petition":
        return common_head + [
            Column(_("Petitioner"), lambda r: mask_name(r.case.reporter_name) if r.case.reporter_name else _("anonymous")),
            Column(_("Form"), lambda r: r.case.category.name),
            Column(_("Received"), lambda r: r.case.created_at),
            Column(_("First handler"), lambda r: _unit(r, Action.DISPATCH, units)),
            Column(_("Handling unit"), lambda r: units.get(r.case.unit_id, "") if r.case.unit_id else ""),
            Column(_("Number of petitioners"), lambda r: (r.case.fields or {}).get("petitioners") or 0, "sum"),
            Column(_("Resolved"), lambda r: _at(r.last(Action.RESOLVE)) if r.case.resolved_level else None, "count"),
            Column(_("Return-visit result"), _rating, "count"),
            state,
        ]
    if kind == "dispute":
        return common_head + [
            Column(_("Parties"), _parties),
            Column(_("Kind of dispute"), lambda r: r.case.category.name),
            Column(_("Received"), lambda r: r.case.created_at),
            Column(_("Mediator"), lambda r: units.get(r.case.unit_id, "") if r.case.unit_id else ""),
            Column(_("Result"), lambda r: r.field("mediation_result"), "count"),
            Column(_("Agreement signed"), lambda r: _yes((r.case.fields or {}).get("agreement_signed")), ""),
            state,
        ]
    if kind == "alert":
        return common_head + [
            Column(_("Site"), lambda r: r.site),
            Column(_("Device"), lambda r: r.alert.device_id if r.alert else r.field("device_id")),
            Column(_("Alert type"), lambda r: r.alert.alert_type if r.alert else r.field("alert_type")),
            Column(_("Alerts"), lambda r: r.alert.count if r.alert else 1, "sum"),
            Column(_("First alert"), lambda r: r.alert.first_seen if r.alert else r.case.created_at),
            Column(_("Handling"), lambda r: r.field("handling")),
            Column(_("Handled"), lambda r: "是" if r.case.resolved_level or r.case.state == State.CLOSED else "否"),
            state,
        ]
    raise InvalidInput(_("Unknown ledger “%(kind)s”") % {"kind": kind[:20]}, field="kind")


FAMILIES = {"hazard": "yinhuan", "petition": "xinfang", "dispute": "jiufen", "alert": "yujing"}
TITLES = {"hazard": gettext_lazy("Hazard ledger"), "petition": gettext_lazy("Petition ledger"),
          "dispute": gettext_lazy("Dispute mediation ledger"), "alert": gettext_lazy("Alert ledger")}


@dataclass(frozen=True)
class LedgerFilter:
    kind: str
    period: Period | None = None
    state: str = ""  # "", "open", "closed", or a state


def ledger_cases(user: User, scope: Scope, f: LedgerFilter) -> QuerySet[Case]:
    if f.kind not in FAMILIES:
        raise InvalidInput(_("Unknown ledger “%(kind)s”") % {"kind": f.kind[:20]}, field="kind")
    family = FAMILIES[f.kind]
    qs = case_access.visible_cases(user).filter(scope.q()).filter(Q(category__code=family) | Q(category__parent__code=family))
    if f.period is not None:
        qs = qs.filter(created_at__gte=_midnight(f.period.start), created_at__lt=_midnight(f.period.end))
    if f.state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif f.state in State.values:
        qs = qs.filter(state=f.state)
    elif f.state:
        raise InvalidInput(_("Unknown state “%(value)s”") % {"value": f.state[:20]}, field="state")
    return qs.select_related("category", "area").order_by("-created_at", "-id")


def _midnight(d: date) -> datetime:
    from jiceng.cases.sla import SHANGHAI

    return datetime(d.year, d.month, d.day, tzinfo=SHANGHAI)


def _rows(cases: list[Case]) -> Iterator[Row]:
    ids = [c.pk for c in cases]
    events: dict[int, dict[str, list[CaseEvent]]] = defaultdict(lambda: defaultdict(list))
    wanted = [Action.DISPATCH, Action.RESOLVE, Action.CLOSE]
    for e in CaseEvent.objects.filter(case_id__in=ids, action__in=wanted).only("case_id", "action", "at", "unit_id").order_by("seq"):
        events[e.case_id][e.action].append(e)
    alerts = {a.case_id: a for a in AlertCase.objects.filter(case_id__in=ids)}
    sites = dict(Device.objects.filter(device_id__in=[a.device_id for a in alerts.values()]).values_list("device_id", "site"))
    for c in cases:
        alert = alerts.get(c.pk)
        site = (sites.get(alert.device_id) if alert else "") or (c.fields or {}).get("school", "") or c.area.name
        yield Row(c, events[c.pk], alert, site, case_access.CaseText(masked=True, names=case_access.people_named(c)))


@dataclass
class Ledger:
    kind: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    totals: list[Any]
    count: int
    truncated: bool


def build(user: User, scope: Scope, f: LedgerFilter, limit: int = PAGE_ROWS) -> Ledger:
    """The ledger's rows (at most ``limit``) and a totals row over *all* matching cases' shown rows."""
    units = dict(Unit.objects.values_list("pk", "name"))
    columns = _columns(f.kind, units)
    qs = ledger_cases(user, scope, f)
    count = qs.count()
    cases = list(qs[:limit])
    rows = []
    for i in range(0, len(cases), 1000):
        for row in _rows(cases[i:i + 1000]):
            rows.append([col.value(row) for col in columns])
    totals = _totals(columns, rows)
    return Ledger(f.kind, str(TITLES[f.kind]), [c.header for c in columns], rows, totals, count, count > len(cases))


def _totals(columns: list[Column], rows: list[list[Any]]) -> list[Any]:
    out: list[Any] = []
    for i, col in enumerate(columns):
        if i == 0:
            out.append(_("Total: %(n)s") % {"n": len(rows)})
        elif col.total == "count":
            out.append(sum(1 for r in rows if r[i] not in (None, "", 0)))
        elif col.total == "sum":
            out.append(sum(int(r[i] or 0) for r in rows))
        else:
            out.append("")
    return out


def workbook(ledger: Ledger, caption: str) -> bytes:
    from jiceng.spreadsheet import add_sheet, new_workbook, workbook_bytes

    wb = new_workbook()
    add_sheet(wb, ledger.title, ledger.headers, ledger.rows, ledger.totals, first=True, caption=caption)
    return workbook_bytes(wb)
