"""One definition of every figure (see docs/metrics.md for the same in words).

Every figure of a period is about the **cases received in that period** (the
cohort of their Asia/Shanghai receipt day), as they stand at the last refresh
of the rollup. Counts are sums of rollup columns; each rate is one column over
another, so the dashboard, the REST API, the reports and the ledgers' totals
all compute them here and nowhere else. Only two figures are about *now* and
read the live case table: the open cases overdue now and those under
supervision now (:func:`live_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from jiceng.cases import sla
from jiceng.cases.models import Case, Category
from jiceng.cases.states import OPEN_STATES

from .access import Scope
from .models import ROLLUP_COUNTS, DailyRollup
from .periods import Period

HAZARD_FAMILY = "yinhuan"  # 安全隐患: the categories whose resolution is a rectification (整改)
SENSOR_FAMILY = "yujing"  # 预警: AI-camera and sensor alerts


@dataclass(frozen=True)
class Figure:
    """One figure: a count (a rollup column) or a rate (numerator columns over a denominator column)."""

    key: str
    label: str
    numerator: tuple[str, ...]
    denominator: str | None = None
    unit: str = "件"
    higher_is_better: bool = True

    def value(self, sums: dict[str, int]) -> float | int | None:
        top = sum(sums.get(c, 0) for c in self.numerator)
        if self.denominator is None:
            return top
        bottom = sums.get(self.denominator, 0)
        return round(top / bottom, 4) if bottom else None


FIGURES: dict[str, Figure] = {f.key: f for f in (
    Figure("intake", _("Received"), ("intake",)),
    Figure("accepted", _("Accepted"), ("accepted",)),
    Figure("refused", _("Refused"), ("refused",), higher_is_better=False),
    Figure("resolved", _("Resolved"), ("resolved",)),
    Figure("closed", _("Closed"), ("closed",)),
    # 响应率: accepted or refused within the time to accept, of the cases whose response was due
    Figure("response_rate", _("Response rate"), ("responded_on_time",), "response_due", "%"),
    # 解决率: cases with a standing resolution, of the accepted cases
    Figure("resolution_rate", _("Resolution rate"), ("resolved",), "accepted", "%"),
    # 满意率: 满意 and 基本满意 both count as satisfied, of the rated cases
    Figure("satisfaction_rate", _("Satisfaction rate"), ("satisfied", "basic"), "rated", "%"),
    Figure("on_time_rate", _("On-time resolution rate"), ("resolved_on_time",), "resolved_ever", "%"),
    Figure("repeat_rate", _("Repeat rate"), ("repeats",), "intake", "%", higher_is_better=False),
    Figure("reopen_rate", _("Reopen rate"), ("reopened",), "resolved_ever", "%", higher_is_better=False),
    Figure("went_overdue", _("Went overdue"), ("went_overdue",), higher_is_better=False),
    Figure("share_village", _("Resolved in the village"), ("resolved_village",), "resolved", "%"),
    Figure("share_township", _("Resolved in the township"), ("resolved_township",), "resolved", "%"),
    Figure("share_county", _("Resolved at the county"), ("resolved_county",), "resolved", "%", higher_is_better=False),
    Figure("supervised", _("Supervised (督办)"), ("supervised",), higher_is_better=False),
    Figure("supervise_reply_rate", _("Supervision reply rate"), ("supervise_replied",), "supervised", "%"),
)}
# The 三率 and the figures a leader's dashboard leads with.
HEADLINE = ("intake", "response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "avg_handling_days",
            "repeat_rate", "reopen_rate", "went_overdue", "supervised", "supervise_reply_rate", "hazard_rectification_rate")
EXTRA_LABELS = {
    "avg_handling_days": _("Average handling time (working days)"),
    "hazard_rectification_rate": _("Hazard rectification rate"),
    "overdue_now": _("Overdue now"),
    "supervised_open": _("Under supervision now"),
}


def rollup_rows(scope: Scope, period: Period) -> QuerySet[DailyRollup]:
    """The rollup rows of a scope and period (one indexed range per village range)."""
    return DailyRollup.objects.filter(scope.q(), day__gte=period.start, day__lt=period.end)


def sums_of(rows: QuerySet[DailyRollup]) -> dict[str, int]:
    """Every rollup column summed over ``rows``: one aggregate query."""
    got = rows.aggregate(**{c: Sum(c, default=0) for c in (*ROLLUP_COUNTS, "handling_seconds")})
    return {k: int(v or 0) for k, v in got.items()}


def avg_handling_days(sums: dict[str, int]) -> float | None:
    """Average working days from receipt to the standing resolution, over the resolved cases (cases/sla.py's calendar)."""
    if not sums.get("resolved"):
        return None
    return round(sums["handling_seconds"] / sums["resolved"] / sla.working_day_seconds(), 2)


def family_ids(code: str) -> list[int]:
    return list(Category.objects.filter(Q(code=code) | Q(parent__code=code)).values_list("pk", flat=True))


def hazard_rectification_rate(rows: QuerySet[DailyRollup]) -> float | None:
    """隐患整改率: hazards (安全隐患 family) with a standing rectification, of the accepted hazards."""
    got = rows.filter(top_category_id__in=family_ids(HAZARD_FAMILY)).aggregate(r=Sum("resolved", default=0), a=Sum("accepted", default=0))
    return round(got["r"] / got["a"], 4) if got["a"] else None


def figures_from(sums: dict[str, int], rows: QuerySet[DailyRollup] | None = None) -> dict[str, float | int | None]:
    """Every figure from summed columns (and, for the hazard rate, the rows)."""
    out: dict[str, float | int | None] = {k: f.value(sums) for k, f in FIGURES.items()}
    out["avg_handling_days"] = avg_handling_days(sums)
    out["hazard_rectification_rate"] = hazard_rectification_rate(rows) if rows is not None else None
    return out


def period_figures(scope: Scope, period: Period) -> dict[str, float | int | None]:
    rows = rollup_rows(scope, period)
    return figures_from(sums_of(rows), rows)


def live_counts(scope: Scope, now: datetime) -> dict[str, int]:
    """Figures about now, from the case table through its indexes: overdue and supervised open cases."""
    cases = Case.objects.filter(scope.q())
    return {
        "overdue_now": cases.filter(sla.overdue_q(now)).count(),
        "supervised_open": cases.filter(state__in=OPEN_STATES, supervise_count__gt=0).count(),
    }


@dataclass(frozen=True)
class Compared:
    """A figure with its value a period before (环比) and a year before (同比)."""

    key: str
    label: str
    value: float | int | None
    previous: float | int | None
    last_year: float | int | None
    is_rate: bool
    higher_is_better: bool = True

    @staticmethod
    def _change(now, before, is_rate):
        if now is None or before is None:
            return None
        if is_rate:
            return round(now - before, 4)  # percentage points
        return round((now - before) / before, 4) if before else None

    @property
    def mom(self):  # 环比
        return self._change(self.value, self.previous, self.is_rate)

    @property
    def yoy(self):  # 同比
        return self._change(self.value, self.last_year, self.is_rate)


def compared_figures(scope: Scope, period: Period, keys: tuple[str, ...] = HEADLINE) -> list[Compared]:
    """The figures of ``period`` beside the period before and the year before (three aggregate queries each a pair)."""
    now, prev, last = (period_figures(scope, p) for p in (period, period.previous(), period.year_before()))
    out = []
    for key in keys:
        fig = FIGURES.get(key)
        label = fig.label if fig else EXTRA_LABELS[key]
        is_rate = key.endswith("_rate") or key.startswith("share_")
        better = fig.higher_is_better if fig else key != "avg_handling_days"
        out.append(Compared(key, str(label), now[key], prev[key], last[key], is_rate, better))
    return out


def breakdown(scope: Scope, period: Period, by: str) -> list[dict]:
    """Per township (``by="township"``), village, unit or category family: every figure per row, grouped in SQL."""
    from django.db.models.functions import Substr

    rows = rollup_rows(scope, period)
    if by == "township":
        rows = rows.annotate(key=Substr("area_id", 1, 9))
    elif by == "village":
        rows = rows.annotate(key=Substr("area_id", 1, 12))
    elif by == "unit":
        grouped = rows.exclude(unit_id=None).order_by().values("unit_id").annotate(**_sum_columns())
        return [_row(str(g.pop("unit_id")), g) for g in grouped]
    elif by == "category":
        grouped = rows.order_by().values("top_category_id").annotate(**_sum_columns())
        return [_row(str(g.pop("top_category_id")), g) for g in grouped]
    else:
        raise ValueError(by)
    grouped = rows.order_by().values("key").annotate(**_sum_columns())
    return [_row(g.pop("key"), g) for g in grouped]


def _sum_columns() -> dict:
    return {c: Sum(c) for c in (*ROLLUP_COUNTS, "handling_seconds")}


def _row(key: str, sums: dict) -> dict:
    sums = {k: int(v or 0) for k, v in sums.items()}
    return {"key": key, "sums": sums, **figures_from(sums)}


def counts_by(scope: Scope, period: Period, column: str) -> dict[str, int]:
    """Intake of the period by a fact column (channel, urgency, hour, weekday): one grouped query over the fact table."""
    from .models import CaseFact

    facts = CaseFact.objects.filter(scope.q(), day__gte=period.start, day__lt=period.end)
    return {str(k): n for k, n in facts.order_by().values_list(column).annotate(n=Count("pk"))}
