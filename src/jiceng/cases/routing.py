"""Which unit handles a case at a given tier: overrides first, then the default kind."""

from __future__ import annotations

from django.db.models import Q

from jiceng.accounts.models import Role, User
from jiceng.areas.codes import ancestor_code
from jiceng.areas.models import AREA_LEVEL_FOR_UNIT_LEVEL, Unit, UnitLevel

from .models import Case, Category, RoutingRule


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


def dispatch_centre_units(case: Case, level: str) -> set[int] | None:
    """The units of the dispatch centre serving ``case`` at ``level``, or None when that tier has no centre.

    A dispatch centre (区社会治理中心 / 12345 分中心) is there when active
    people of the dispatch-centre role work for the case's county; their units
    are the centre's. Only the county tier has one.
    """
    if level != UnitLevel.COUNTY:
        return None
    county = ancestor_code(case.area_id, AREA_LEVEL_FOR_UNIT_LEVEL[UnitLevel.COUNTY])
    staff = User.objects.filter(role=Role.DISPATCH_CENTRE, is_active=True, scope_area_id=county)
    if not staff.exists():
        return None
    return set(Unit.objects.filter(members__in=staff, level=UnitLevel.COUNTY).values_list("id", flat=True))
