"""REST reads of the registry of places: areas, grids and responsible units."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from jiceng.errors import NotFound
from jiceng.schemas import ErrorOut

from .codes import subtree_prefix
from .models import Area, Grid, Unit, subtree_q

router = Router(tags=["registry"])
ERRORS = {401: ErrorOut, 404: ErrorOut}
MAX_ROWS = 2000


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


class GridOut(Schema):
    id: int
    code: str
    name: str
    area: str
    workers: int


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    level: str
    area: str


def _area_out(a: Area) -> dict:
    return {"code": a.code, "name": a.name, "level": a.level, "parent": a.parent_id}


@router.get("/areas", response={200: list[AreaOut], **ERRORS}, summary="Areas (children of `parent`, or the top)")
def list_areas(request: HttpRequest, parent: str | None = None, level: str | None = None):
    qs = Area.objects.all()
    qs = qs.filter(parent_id=parent) if parent else qs.filter(parent__isnull=True) if level is None else qs
    if level is not None:
        qs = qs.filter(level=level)
    return [_area_out(a) for a in qs.order_by("code")[:MAX_ROWS]]


@router.get("/areas/{code}", response={200: AreaOut, **ERRORS}, summary="One area")
def read_area(request: HttpRequest, code: str):
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise NotFound(_("No area has the code %(code)s") % {"code": code})
    return _area_out(area)


@router.get("/grids", response={200: list[GridOut], **ERRORS}, summary="Grids in an area subtree")
def list_grids(request: HttpRequest, area: str):
    if not area.isdigit():
        raise NotFound(_("No area has the code %(code)s") % {"code": area})
    qs = Grid.objects.filter(subtree_q("area_id", subtree_prefix(area))).annotate(n=Count("workers")).order_by("code")
    return [{"id": g.pk, "code": g.code, "name": g.name, "area": g.area_id, "workers": g.n} for g in qs[:MAX_ROWS]]


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="Responsible units")
def list_units(request: HttpRequest, area: str | None = None, level: str | None = None, kind: str | None = None):
    qs = Unit.objects.filter(active=True)
    if area:
        qs = qs.filter(area_id=area)
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind_id=kind)
    return [{"id": u.pk, "code": u.code, "name": u.name, "kind": u.kind_id, "level": u.level, "area": u.area_id} for u in qs[:MAX_ROWS]]
