"""REST endpoint of the leaders' dashboard: the same figures as /stats/, scoped through ``access``, computed in ``metrics``.

It translates the query into a scope and period and the dashboard's figures
into JSON; it decides nothing. Each number carries the case-list link that
shows the cases behind it (the same link the web page puts on the number).
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from jiceng.schemas import ErrorOut

from . import dashboard as dash
from . import metrics
from .access import scope_of
from .models import Watermark
from .periods import MONTH, WEEK, parse_period

router = Router(tags=["statistics"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}
# The figures each breakdown row carries (metrics.FIGURES and the two computed ones).
ROW_FIGURES = (*metrics.FIGURES, "avg_handling_days", "hazard_rectification_rate")


class DashboardQuery(Schema):
    kind: str = Field(MONTH, description="month or week")
    period: str = Field("", description="2026-10, 2026-W42 or a day; empty: the current one")
    area: str = Field("", description="a 6-, 9- or 12-digit division code inside the caller's scope")


class KpiOut(Schema):
    key: str
    label: str
    value: float | int | None
    change_mom: float | None = Field(description="环比: percentage points for rates, a share for counts")
    change_yoy: float | None = Field(description="同比, likewise")
    is_rate: bool
    higher_is_better: bool
    link: str


class RowOut(Schema):
    key: str
    name: str
    link: str
    figures: dict[str, float | int | None]


class CaseRefOut(Schema):
    number: str
    category: str
    area: str
    unit: str | None
    deadline: datetime | None
    overdue_working_days: float | None = None
    supervise_count: int
    link: str


class DashboardOut(Schema):
    scope: str
    area: str
    kind: str
    period: str
    start: date
    end: date = Field(description="exclusive")
    refreshed_at: datetime | None = Field(description="when the rollup was last brought up to date")
    kpis: list[KpiOut]
    by_area: list[RowOut]
    by_unit: list[RowOut]
    by_category: list[RowOut]
    overdue: list[CaseRefOut] = Field(description="the first 20, longest overdue first; the full list is the overdue_now link")
    supervised: list[CaseRefOut] = Field(description="the first 20; the full list is the supervised_open link")


def _rows(rows: list[dict]) -> list[dict]:
    return [{"key": r["key"], "name": str(r["name"]), "link": r["link"], "figures": {k: r.get(k) for k in ROW_FIGURES}}
            for r in rows]


def _case_ref(case, overdue_days: float | None = None) -> dict:
    return {"number": case.number, "category": case.category.name, "area": case.area.name,
            "unit": case.unit.name if case.unit_id else None, "deadline": case.deadline,
            "overdue_working_days": overdue_days, "supervise_count": case.supervise_count, "link": f"/cases/{case.number}/"}


@router.get("/stats/dashboard", response={200: DashboardOut, **ERRORS}, summary="The leaders' dashboard figures of the caller's scope",
            description="KPIs with 环比/同比, breakdowns by township (or village), unit and category family, and the first overdue "
                        "and supervised cases; every figure is defined once in docs/metrics.md.")
def dashboard(request: HttpRequest, q: Query[DashboardQuery]):
    scope = scope_of(request.user, q.area)
    period = parse_period(q.kind if q.kind in (WEEK, MONTH) else "bogus", q.period, timezone.localdate())
    now = timezone.now()
    level = "township" if len(scope.area_prefix) < 9 else "village"
    units = dash.unit_breakdown(scope, period)
    overdue = dash.overdue_by_days(dash.overdue_cases(request.user, scope, now), now)
    mark = Watermark.objects.filter(id=1).values_list("refreshed_at", flat=True).first()
    return {
        "scope": str(scope.label), "area": scope.area_prefix, "kind": period.kind, "period": period.key,
        "start": period.start, "end": period.end, "refreshed_at": mark,
        "kpis": [{"key": k.key, "label": k.label, "value": k.value, "change_mom": k.mom, "change_yoy": k.yoy, "is_rate": k.is_rate,
                  "higher_is_better": k.higher_is_better, "link": k.link} for k in dash.kpis(scope, period, now)],
        "by_area": _rows(dash.area_breakdown(scope, period, level)),
        "by_unit": _rows(units),
        "by_category": _rows(dash.category_breakdown(scope, period)),
        "overdue": [_case_ref(c, days) for c, days in overdue],
        "supervised": [_case_ref(c) for c in dash.supervised_cases(request.user, scope)],
    }
