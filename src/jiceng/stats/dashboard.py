"""What the leaders' dashboard shows for a scope and period, assembled from grouped queries only.

Period figures come from the daily rollup (metrics.py); the lists of overdue
and supervised cases and the two "now" figures come from the case table
through ``visible_cases`` and its indexes. Every number carries the query
string of the case list that shows the cases behind it (:func:`case_link`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.areas.models import Area, AreaLevel, Unit, subtree_q
from jiceng.cases import access as case_access
from jiceng.cases import sla
from jiceng.cases.models import Case, Category

from . import metrics
from .access import Scope
from .models import DailyRollup
from .periods import Period, month_of, week_of

# A unit with fewer cases in the period is not ranked (四类排名: two cases must not top it); JICENG_RANKING_MIN_CASES.
MIN_RANKED_CASES = 5
LIST_LIMIT = 20
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def case_link(scope: Scope, period: Period | None = None, **filters) -> str:
    """The case list filtered to the cases behind a number (parameter names of cases/filters.py)."""
    params: dict[str, str] = {}
    if scope.area_prefix:
        params["area"] = scope.area_prefix
    if scope.unit_ids is not None and len(scope.unit_ids) == 1:
        params["unit"] = str(scope.unit_ids[0])
    if period is not None:
        params["created_after"] = period.start.isoformat()
        params["created_before"] = period.end.isoformat()
    params.update({k: str(v) for k, v in filters.items() if v not in (None, "")})
    return "/cases/?" + urlencode(params)


# Which case-list filter shows the cases behind a figure (None: a rate; its link shows the period's cases).
FIGURE_FILTERS = {
    "intake": {}, "accepted": {}, "refused": {"state": "refused"}, "closed": {"state": "closed"},
    "resolved": {"state": "resolved"}, "supervised": {"supervised": "1"}, "went_overdue": {"overdue": "1"},
    "overdue_now": {"overdue": "1", "state": "open"}, "supervised_open": {"supervised": "1", "state": "open"},
}


@dataclass
class Kpi:
    key: str
    label: str
    value: float | int | None
    mom: float | None
    yoy: float | None
    is_rate: bool
    higher_is_better: bool
    link: str


def kpis(scope: Scope, period: Period, now: datetime) -> list[Kpi]:
    out = []
    for c in metrics.compared_figures(scope, period):
        link = case_link(scope, period, **FIGURE_FILTERS.get(c.key, {}))
        out.append(Kpi(c.key, c.label, c.value, c.mom, c.yoy, c.is_rate, c.higher_is_better, link))
    for key, value in metrics.live_counts(scope, now).items():
        out.append(Kpi(key, str(metrics.EXTRA_LABELS[key]), value, None, None, False, False,
                       case_link(scope, None, **FIGURE_FILTERS[key])))
    return out


def trend(scope: Scope, by: str, end: date, count: int = 12) -> list[dict]:
    """Intake, resolutions and satisfaction per week or month, the last ``count`` up to ``end``: one grouped query."""
    period = week_of(end) if by == "week" else month_of(end)
    first = period
    for _i in range(count - 1):
        first = first.previous()
    trunc = TruncWeek("day") if by == "week" else TruncMonth("day")
    rows = (DailyRollup.objects.filter(scope.q(), day__gte=first.start, day__lt=period.end).annotate(bucket=trunc)
            .order_by().values("bucket").annotate(intake=Sum("intake"), resolved=Sum("resolved"), rated=Sum("rated"),
                                                  satisfied=Sum("satisfied"), basic=Sum("basic")))
    by_bucket = {(r["bucket"].date() if isinstance(r["bucket"], datetime) else r["bucket"]): r for r in rows}
    out, p = [], first
    for _i in range(count):
        r = by_bucket.get(p.start, {})
        rate = metrics.FIGURES["satisfaction_rate"].value({k: r.get(k) or 0 for k in ("satisfied", "basic", "rated")})
        out.append({"label": p.key, "intake": r.get("intake") or 0, "resolved": r.get("resolved") or 0,
                    "satisfaction_rate": rate, "link": case_link(scope, p)})
        p = _next(p)
    return out


def _next(p: Period) -> Period:
    return week_of(p.end) if p.kind == "week" else month_of(p.end)


def area_breakdown(scope: Scope, period: Period, level: str = "township") -> list[dict]:
    """Every figure per township (or village) of the scope, with names and links."""
    rows = metrics.breakdown(scope, period, level)
    codes = [r["key"].ljust(12, "0") for r in rows]
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    for r in rows:
        code = r["key"].ljust(12, "0")
        r["name"] = names.get(code, code)
        r["code"] = code
        r["link"] = case_link(Scope(r["key"], scope.unit_ids), period)
    return rows


def unit_breakdown(scope: Scope, period: Period) -> list[dict]:
    rows = metrics.breakdown(scope, period, "unit")
    names = dict(Unit.objects.filter(pk__in=[int(r["key"]) for r in rows]).values_list("pk", "name"))
    for r in rows:
        r["name"] = names.get(int(r["key"]), r["key"])
        r["link"] = case_link(scope, period, unit=r["key"])
    return rows


def category_breakdown(scope: Scope, period: Period) -> list[dict]:
    rows = metrics.breakdown(scope, period, "category")
    cats = {c.pk: c for c in Category.objects.filter(pk__in=[int(r["key"]) for r in rows])}
    for r in rows:
        cat = cats.get(int(r["key"]))
        r["name"] = cat.name if cat else r["key"]
        r["link"] = case_link(scope, period, category=cat.code if cat else "")
    return sorted(rows, key=lambda r: -r["intake"])


SORTABLE = ("intake", "response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "avg_handling_days",
            "went_overdue", "supervised")


def sort_rows(rows: list[dict], key: str, descending: bool = True) -> list[dict]:
    """Sort a breakdown by a figure; rows without a value (no cases to rate) go last either way."""
    key = key if key in SORTABLE else "intake"
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]
    return sorted(present, key=lambda r: r[key], reverse=descending) + missing


BANDS = [(0.9, "A"), (0.8, "B"), (0.7, "C"), (0.0, "D")]


def ranking_minimum() -> int:
    from django.conf import settings

    return int(getattr(settings, "JICENG_RANKING_MIN_CASES", MIN_RANKED_CASES))


def ranking(scope: Scope, period: Period, minimum: int | None = None, unit_rows: list[dict] | None = None) -> dict:
    """The unit ranking: score = the mean of the 三率 (响应率, 解决率, 满意率), units with at least ``minimum`` cases.

    Like the 12345 hotline's 四类排名, units are ranked within their tier
    (village, township, county) and placed in four bands A–D by score; units
    with fewer cases are listed apart, unranked.
    """
    minimum = ranking_minimum() if minimum is None else minimum
    rows = [dict(r) for r in (unit_breakdown(scope, period) if unit_rows is None else unit_rows)]
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[int(r["key"]) for r in rows])}
    ranked: dict[str, list[dict]] = {}
    too_few = []
    for r in rows:
        unit = units.get(int(r["key"]))
        if unit is None:
            continue
        rates = [r[k] for k in ("response_rate", "resolution_rate", "satisfaction_rate") if r[k] is not None]
        r["score"] = round(sum(rates) / len(rates), 4) if rates else None
        r["level"] = unit.level
        if r["intake"] < minimum or r["score"] is None:
            too_few.append(r)
            continue
        ranked.setdefault(unit.level, []).append(r)
    tiers = []
    for level, label in (("township", _("Township units")), ("county", _("County departments")), ("village", _("Village committees"))):
        group = sorted(ranked.get(level, []), key=lambda r: (-r["score"], -r["intake"], r["name"]))
        for i, r in enumerate(group, 1):
            r["rank"] = i
            r["band"] = next(b for floor, b in BANDS if r["score"] >= floor)
        if group:
            tiers.append({"level": level, "label": label, "rows": group})
    return {"tiers": tiers, "too_few": sorted(too_few, key=lambda r: -r["intake"]), "minimum": minimum}


def heat_map(scope: Scope, period: Period) -> dict:
    """Villages of the scope with their boundaries (GeoJSON) and case counts, for an ECharts map."""
    counts = {r["key"]: r["intake"] for r in metrics.breakdown(scope, period, "village")}
    villages = Area.objects.filter(_area_q(scope), level=AreaLevel.VILLAGE)
    features, data = [], []
    for code, name, boundary in villages.exclude(boundary=None).values_list("code", "name", "boundary"):
        features.append({"type": "Feature", "properties": {"name": name, "code": code}, "geometry": boundary})
        data.append({"name": name, "value": counts.get(code, 0), "code": code,
                     "link": case_link(Scope(code, scope.unit_ids), period)})
    return {"geojson": {"type": "FeatureCollection", "features": features}, "data": data,
            "max": max((d["value"] for d in data), default=0)}


def _area_q(scope: Scope) -> Q:
    return subtree_q("code", scope.area_prefix) if scope.area_prefix else Q()


def patterns(scope: Scope, period: Period) -> dict:
    """Intake by hour of day and by day of week, from the rollup: one grouped query, a row per day of the period."""
    by_day = metrics.intake_by_day_and_hour(scope, period)
    hours, weekdays = [0] * 24, [0] * 7
    for day, counts in by_day.items():
        weekdays[day.weekday()] += sum(counts)
        for h, n in enumerate(counts):
            hours[h] += n
    return {"hours": hours, "weekdays": weekdays, "weekday_labels": WEEKDAYS}


def scoped_cases(user: User, scope: Scope):
    return case_access.visible_cases(user).filter(scope.q())


def overdue_cases(user: User, scope: Scope, now: datetime, limit: int = LIST_LIMIT) -> list[Case]:
    return overdue_among(scoped_cases(user, scope), now, limit)


def overdue_among(cases: QuerySet[Case], now: datetime, limit: int = LIST_LIMIT) -> list[Case]:
    """The first ``limit`` of ``cases`` overdue now, longest overdue first.

    Two index walks that stop at ``limit`` rows: the running clocks in deadline
    order (partial index case_running_deadline) and the few suspended cases
    overdue when suspended; the full list is the case list's overdue filter.
    """
    base = cases.select_related("category", "area", "unit")
    running = list(base.filter(sla.overdue_running_q(now)).order_by("deadline", "pk")[:limit])
    paused = list(base.filter(sla.overdue_suspended_q()).order_by("deadline", "pk")[:limit])
    return sorted(running + paused, key=lambda c: (c.deadline, c.pk))[:limit]


def supervised_cases(user: User, scope: Scope, limit: int = LIST_LIMIT) -> list[Case]:
    return supervised_among(scoped_cases(user, scope), limit)


def supervised_among(cases: QuerySet[Case], limit: int = LIST_LIMIT) -> list[Case]:
    """The first ``limit`` open cases under supervision (partial index case_supervised_open), most supervised first."""
    return list(cases.filter(metrics.supervised_open_q()).select_related("category", "area", "unit")
                .order_by("-supervise_count", "deadline", "pk")[:limit])


def overdue_by_days(cases: list[Case], now: datetime) -> list[tuple[Case, float]]:
    """Each overdue case with its working days overdue (for at most LIST_LIMIT cases)."""
    day = sla.working_day_seconds()
    return [(c, round(sla.working_seconds_between(c.deadline, now) / day, 1)) for c in cases]


def townships_of(scope: Scope) -> list[Area]:
    """Townships a county-wide viewer may narrow to."""
    qs = Area.objects.filter(_area_q(scope), level=AreaLevel.TOWNSHIP).order_by("code")
    return list(qs)


def default_period(today: date) -> Period:
    return month_of(today)

