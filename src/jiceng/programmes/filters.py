"""Filters for programme lists (area prefix, plan, status), applied to already scoped querysets."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jiceng.areas.codes import subtree_prefix
from jiceng.areas.models import subtree_q
from jiceng.errors import InvalidInput


def by_area(qs: QuerySet, params: Any, field: str = "area_id") -> QuerySet:
    area = (params.get("area", "") or "").strip()[:12]
    if not area:
        return qs
    if not area.isdigit():
        raise InvalidInput(_("区划代码必须是数字"), field="area")
    return qs.filter(subtree_q(field, subtree_prefix(area)))


def by_plan(qs: QuerySet, params: Any) -> QuerySet:
    plan = (params.get("plan", "") or "").strip()
    if not plan:
        return qs
    if not (plan.isdigit() and len(plan) <= 18):
        raise InvalidInput(_("计划编号必须是整数"), field="plan")
    return qs.filter(plan_id=int(plan))
