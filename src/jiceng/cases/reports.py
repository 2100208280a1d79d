"""Small reports over cases for dashboards and exports."""

from __future__ import annotations

from dataclasses import dataclass

from datetime import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from jiceng.areas.models import UnitLevel

from .models import Category
from .sla import overdue_q
from .states import OPEN_STATES, Rating, State


@dataclass(frozen=True)
class LevelShare:
    level: str
    label: str
    count: int
    share: float  # 0..1 of the resolved cases

    @property
    def percent(self) -> int:
        return round(self.share * 100)


def resolution_levels(cases: QuerySet) -> list[LevelShare]:
    """How many of ``cases`` were finally resolved in the village, the township and the county.

    小事不出村、大事不出乡镇、难事不出县: a case counts at the tier of its last
    resolution (``resolved_level``); cases not (or no longer) resolved are left out.
    """
    counts = dict(cases.exclude(resolved_level="").order_by().values_list("resolved_level").annotate(n=Count("id")))
    total = sum(counts.values())
    return [LevelShare(level.value, str(level.label), counts.get(level.value, 0), counts.get(level.value, 0) / total if total else 0.0)
            for level in (UnitLevel.VILLAGE, UnitLevel.TOWNSHIP, UnitLevel.COUNTY)]


SATISFIED = (Rating.SATISFIED, Rating.BASIC)


def summary(cases: QuerySet, now: datetime | None = None) -> dict:
    """Totals by state, top-level category, level of resolution and rating, with overdue and satisfaction.

    ``cases`` must already be scoped (``visible_cases``) and filtered.
    """
    now = now or timezone.now()
    by_state = dict(cases.values_list("state").annotate(n=Count("id")).order_by())
    by_cat_rows = cases.values_list("category_id", "category__parent_id").annotate(n=Count("id")).order_by()
    top: dict[int, int] = {}
    for cat_id, parent_id, n in by_cat_rows:
        key = parent_id or cat_id
        top[key] = top.get(key, 0) + n
    names = dict(Category.objects.filter(pk__in=top).values_list("pk", "code"))
    labels = dict(Category.objects.filter(pk__in=top).values_list("pk", "name"))
    ratings = dict(cases.exclude(rating="").values_list("rating").annotate(n=Count("id")).order_by())
    rated = sum(ratings.values())
    return {
        "total": sum(by_state.values()),
        "open": sum(n for s, n in by_state.items() if s in OPEN_STATES),
        "overdue": cases.filter(overdue_q(now)).count(),
        "by_state": [{"key": s.value, "label": str(s.label), "count": by_state.get(s.value, 0)} for s in State],
        "by_category": sorted(
            ({"key": names[k], "label": labels[k], "count": n} for k, n in top.items()), key=lambda r: (-r["count"], r["key"])
        ),
        "resolved_at_level": [{"key": r.level, "label": r.label, "count": r.count} for r in resolution_levels(cases)],
        "ratings": [{"key": r.value, "label": str(r.label), "count": ratings.get(r.value, 0)} for r in Rating],
        "satisfaction_rate": round(sum(ratings.get(r, 0) for r in SATISFIED) / rated, 4) if rated else None,
    }
