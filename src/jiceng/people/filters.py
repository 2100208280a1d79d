"""One person filter for the web list, the REST list and exports; callers pass an already scoped queryset."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jiceng.areas.codes import subtree_prefix
from jiceng.areas.models import subtree_q
from jiceng.errors import InvalidInput

from . import identity
from .actions import held_on_q
from .idnumber import normalise_id_number
from .models import Household, Person, PersonTag, TagKind

PAGE_SIZE = 50


@dataclass
class PersonFilter:
    q: str = ""  # a name, or a full ID number
    area: str = ""  # an area code or code prefix
    grid: str = ""  # a grid code
    tag: str = ""  # a tag kind code
    on: dt.date | None = None  # with tag: held on this day (default today)
    before: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> "PersonFilter":
        get = params.get
        on = (get("on", "") or "").strip()
        before = (get("before", "") or "").strip()
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError:
            raise InvalidInput(_("日期“%(value)s”格式不正确（应为 2026-03-01）") % {"value": on[:20]}, field="on") from None
        if before and not (before.isdigit() and len(before) <= 18):
            raise InvalidInput(_("翻页位置必须是整数"), field="before")
        return cls(q=(get("q", "") or "").strip()[:32], area=(get("area", "") or "").strip()[:12], grid=(get("grid", "") or "").strip()[:16],
                   tag=(get("tag", "") or "").strip()[:32], on=day, before=int(before) if before else None)

    def as_query(self) -> dict:
        out = {k: v for k, v in (("q", self.q), ("area", self.area), ("grid", self.grid), ("tag", self.tag)) if v}
        if self.on:
            out["on"] = self.on.isoformat()
        return out


def filter_people(qs: QuerySet[Person], f: PersonFilter) -> QuerySet[Person]:
    if f.q:
        number = normalise_id_number(f.q)
        if len(number) == 18 and number[:17].isdigit():
            qs = qs.filter(identity.by_id_number_q(number))
        else:
            qs = qs.filter(name__startswith=f.q)
    if f.area:
        if not f.area.isdigit():
            raise InvalidInput(_("区划代码必须是数字"), field="area")
        qs = qs.filter(subtree_q("area_id", subtree_prefix(f.area)))
    if f.grid:
        qs = qs.filter(grid__code=f.grid)
    if f.tag:
        kind = TagKind.objects.filter(code=f.tag).first()
        if kind is None:
            raise InvalidInput(_("标签“%(tag)s”不存在") % {"tag": f.tag}, field="tag")
        from django.utils import timezone

        holders = PersonTag.objects.filter(held_on_q(f.on or timezone.localdate()), kind=kind).values("person_id")
        qs = qs.filter(pk__in=holders)
    if f.before:
        qs = qs.filter(pk__lt=f.before)
    return qs.order_by("-id")


def page_of(qs: QuerySet, size: int = PAGE_SIZE) -> tuple[list, int | None]:
    rows = list(qs[: size + 1])
    return rows[:size], (rows[size - 1].pk if len(rows) > size else None)


def filter_households(qs: QuerySet[Household], params: Any) -> QuerySet[Household]:
    q = (params.get("q", "") or "").strip()[:32]
    area = (params.get("area", "") or "").strip()[:12]
    before = (params.get("before", "") or "").strip()
    if q:
        qs = qs.filter(Q(number__startswith=q) | Q(head__name__startswith=q))
    if area:
        if not area.isdigit():
            raise InvalidInput(_("区划代码必须是数字"), field="area")
        qs = qs.filter(subtree_q("area_id", subtree_prefix(area)))
    if before:
        if not (before.isdigit() and len(before) <= 18):
            raise InvalidInput(_("翻页位置必须是整数"), field="before")
        qs = qs.filter(pk__lt=int(before))
    return qs.order_by("-id")
