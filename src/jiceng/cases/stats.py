"""Report figures over a scoped set of cases (dashboard, API, weekly reports)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from jiceng.areas.models import UnitLevel

from .filters import CLOCK_STATES
from .models import Category
from .states import OPEN_STATES, Rating, State

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
    levels = dict(cases.exclude(resolved_level="").values_list("resolved_level").annotate(n=Count("id")).order_by())
    ratings = dict(cases.exclude(rating="").values_list("rating").annotate(n=Count("id")).order_by())
    rated = sum(ratings.values())
    return {
        "total": sum(by_state.values()),
        "open": sum(n for s, n in by_state.items() if s in OPEN_STATES),
        "overdue": cases.filter(state__in=CLOCK_STATES, deadline__lt=now).count(),
        "by_state": [{"key": s.value, "label": str(s.label), "count": by_state.get(s.value, 0)} for s in State],
        "by_category": sorted(
            ({"key": names[k], "label": labels[k], "count": n} for k, n in top.items()), key=lambda r: (-r["count"], r["key"])
        ),
        "resolved_at_level": [{"key": lv.value, "label": str(lv.label), "count": levels.get(lv.value, 0)} for lv in UnitLevel],
        "ratings": [{"key": r.value, "label": str(r.label), "count": ratings.get(r.value, 0)} for r in Rating],
        "satisfaction_rate": round(sum(ratings.get(r, 0) for r in SATISFIED) / rated, 4) if rated else None,
    }
