"""Which unit handles a case at a given tier: overrides first, then the default kind."""

from __future__ import annotations

from django.db.models import Q

from jiceng.areas.codes import ancestor_code
from jiceng.areas.models import AREA_LEVEL_FOR_UNIT_LEVEL, Unit, UnitLevel

from .models import Category, RoutingRule


def suggest_unit(category: Category, area_code: str, level: str) -> Unit | None:
    """The responsible unit for ``category`` in ``area_code`` at ``level``.

    1. A RoutingRule for the category (or an ancestor category) whose area
       prefix matches, the longest prefix and nearest category winning.
    2. Otherwise the unit of the category's default kind for that tier that
       serves the case's ancestor area at that tier.
    """
    lineage = category.lineage()
    prefixes = [area_code[:n] for n in range(len(area_code), 0, -1)]
    rules = list(
        RoutingRule.objects.filter(category__in=lineage, level=level, area_prefix__in=prefixes, unit__active=True).select_related("unit")
    )
    if rules:
        depth = {c.pk: i for i, c in enumerate(lineage)}
        rules.sort(key=lambda r: (-len(r.area_prefix), depth[r.category_id]))
        return rules[0].unit
    kind = category.routing_for(level)
    if kind is None:
        return None
    served = ancestor_code(area_code, AREA_LEVEL_FOR_UNIT_LEVEL[UnitLevel(level)])
    return Unit.objects.filter(Q(kind_id=kind) & Q(area_id=served) & Q(active=True)).order_by("id").first()
