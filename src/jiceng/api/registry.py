"""Registry reads: places, grids, units, case categories and the caller."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from jiceng.areas.codes import subtree_prefix
from jiceng.areas.models import Area, Grid, Unit, subtree_q
from jiceng.cases.models import Category

from .errors import NotFound
from .schemas import AreaOut, CategoryOut, ErrorOut, GridOut, MeOut, UnitOut

router = Router(tags=["registry"])
ERRORS = {401: ErrorOut, 404: ErrorOut}
MAX_ROWS = 2000


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who the caller is and what scope they act in")
def me(request: HttpRequest):
    u = request.user
    area = {"code": u.scope_area_id, "name": u.scope_area.name} if u.scope_area_id else None
    return {"username": u.username, "name": u.display_name, "role": u.role, "scope_area": area,
            "units": [{"id": x.pk, "code": x.code, "name": x.name} for x in u.units.all()]}


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


def _category_out(c: Category, leaf: bool) -> dict:
    return {
        "code": c.code, "name": c.name, "parent": c.parent.code if c.parent_id else None, "description": c.description,
        "start_level": c.start_level, "allow_anonymous": c.allow_anonymous, "leaf": leaf,
        "fields": [
            {"name": s["name"], "label": s["label"], "type": s["type"], "required": bool(s.get("required")),
             "stage": s.get("stage", "submit"), "choices": s.get("choices")}
            for s in c.field_specs()
        ],
    }


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="Case categories with their fields")
def list_categories(request: HttpRequest):
    parents = set(Category.objects.filter(parent__isnull=False).values_list("parent_id", flat=True))  # one query, not one per row
    return [_category_out(c, c.pk not in parents) for c in Category.objects.filter(active=True).select_related("parent")]


@router.get("/categories/{code}", response={200: CategoryOut, **ERRORS}, summary="One category")
def read_category(request: HttpRequest, code: str):
    c = Category.objects.filter(code=code).select_related("parent").first()
    if c is None:
        raise NotFound(_("No category has the code %(code)s") % {"code": code})
    return _category_out(c, not c.children.exists())
