"""Small reports over cases for dashboards and exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from jiceng.areas.models import UnitLevel


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
