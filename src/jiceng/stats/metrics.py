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
from .models import HOUR_COLUMNS, ROLLUP_COUNTS, DailyRollup
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


# The hazard family's two sums behind 隐患整改率, summed beside the rollup's own columns.
HAZARD_SUMS = {"hazard_resolved": "resolved", "hazard_accepted": "accepted"}
SUMMED = (*ROLLUP_COUNTS, "handling_seconds")


def family_ids(code: str) -> list[int]:
    return list(Category.objects.filter(Q(code=code) | Q(parent__code=code)).values_list("pk", flat=True))


def sum_aggregates(where: Q | None = None, prefix: str = "", hazards: list[int] | None = None) -> dict:
    """Every rollup column (and the hazard family's two) as a SUM over the rows matching ``where``."""
    hazards = family_ids(HAZARD_FAMILY) if hazards is None else hazards
    hazard_q = Q(top_category_id__in=hazards) & (where or Q())
    # The hazard sums first: in annotate() a later name would resolve to the column's own sum of the same name.
    out = {f"{prefix}{k}": Sum(c, filter=hazard_q) for k, c in HAZARD_SUMS.items()}
    out.update({f"{prefix}{c}": Sum(c, filter=where) for c in SUMMED})
    return out


def sums_of(rows: QuerySet[DailyRollup]) -> dict[str, int]:
    """Every rollup column summed over ``rows``: one aggregate query."""
    return _ints(rows.aggregate(**sum_aggregates()))


def _ints(got: dict, prefix: str = "") -> dict[str, int]:
    return {k[len(prefix):]: int(v or 0) for k, v in got.items() if k.startswith(prefix)}


def avg_handling_days(sums: dict[str, int]) -> float | None:
    """Average working days from receipt to the standing resolution, over the resolved cases (cases/sla.py's calendar)."""
    if not sums.get("resolved"):
        return None
    return round(sums["handling_seconds"] / sums["resolved"] / sla.working_day_seconds(), 2)


def hazard_rectification_rate(sums: dict[str, int]) -> float | None:
    """隐患整改率: hazards (安全隐患 family) with a standing rectification, of the accepted hazards."""
    accepted = sums.get("hazard_accepted", 0)
    return round(sums.get("hazard_resolved", 0) / accepted, 4) if accepted else None


def figures_from(sums: dict[str, int]) -> dict[str, float | int | None]:
    """Every figure from summed columns."""
    out: dict[str, float | int | None] = {k: f.value(sums) for k, f in FIGURES.items()}
    out["avg_handling_days"] = avg_handling_days(sums)
    out["hazard_rectification_rate"] = hazard_rectification_rate(sums)
    return out


def figures_of_periods(scope: Scope, periods: list[Period]) -> list[dict[str, float | int | None]]:
    """Every figure of each period in one aggregate statement (one FILTERed SUM per period and column)."""
    in_period = [Q(day__gte=p.start, day__lt=p.end) for p in periods]
    hazards = family_ids(HAZARD_FAMILY)
    aggregates: dict = {}
    for i, where in enumerate(in_period):
        aggregates.update(sum_aggregates(where, f"p{i}_", hazards))
    any_period = Q()
    for where in in_period:
        any_period |= where
    got = DailyRollup.objects.filter(scope.q()).filter(any_period).aggregate(**aggregates)
    return [figures_from(_ints(got, f"p{i}_")) for i in range(len(periods))]


def period_figures(scope: Scope, period: Period) -> dict[str, float | int | None]:
    return figures_of_periods(scope, [period])[0]


def live_counts(scope: Scope, now: datetime) -> dict[str, int]:
    """Figures about now, from the case table through its indexes: overdue and supervised open cases."""
    cases = Case.objects.filter(scope.q())
    return {
        # sla.overdue_q as its two disjoint parts: the running clocks count from the partial index alone
        "overdue_now": cases.filter(sla.overdue_running_q(now)).count() + cases.filter(sla.overdue_suspended_q()).count(),
        "supervised_open": cases.filter(supervised_open_q()).count(),
    }


def supervised_open_q() -> Q:
    """Open cases under supervision now (督办中): the predicate of the partial index case_supervised_open."""
    return Q(supervise_count__gt=0, state__in=sorted(OPEN_STATES))


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
    """The figures of ``period`` beside the period before and the year before (one aggregate statement)."""
    now, prev, last = figures_of_periods(scope, [period, period.previous(), period.year_before()])
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
    return sum_aggregates()


def _row(key: str, sums: dict) -> dict:
    sums = {k: int(v or 0) for k, v in sums.items()}
    return {"key": key, "sums": sums, **figures_from(sums)}


def counts_by(scope: Scope, period: Period, column: str) -> dict[str, int]:
    """Intake of the period by a fact column (channel, urgency, hour, weekday): one grouped query over the fact table."""
    return {key[0]: n for key, n in counts_by_pair(scope, period, column).items()}


def counts_by_pair(scope: Scope, period: Period, *columns: str) -> dict[tuple[str, ...], int]:
    """Intake of the period by one or more fact columns at once (e.g. channel and urgency): one grouped query."""
    from .models import CaseFact

    facts = CaseFact.objects.filter(scope.q(), day__gte=period.start, day__lt=period.end)
    return {tuple(str(k) for k in row[:-1]): row[-1] for row in facts.order_by().values_list(*columns).annotate(n=Count("pk"))}


def marginal(counts: dict[tuple[str, ...], int], position: int) -> dict[str, int]:
    """The counts of one column of :func:`counts_by_pair`, summed over the others."""
    out: dict[str, int] = {}
    for key, n in counts.items():
        out[key[position]] = out.get(key[position], 0) + n
    return out


def intake_by_day_and_hour(scope: Scope, period: Period) -> dict:
    """Each day's intake by hour of receipt (24 counts), from the rollup's hour columns: one grouped query."""
    rows = rollup_rows(scope, period).order_by().values("day").annotate(**{h: Sum(h) for h in HOUR_COLUMNS})
    return {r["day"]: [int(r[h] or 0) for h in HOUR_COLUMNS] for r in rows}
