"""Web pages for submitting a case: the form, and the partials it loads (category fields, grids, a map, a GPS position).

Thin like every view: the domain (``do_submit``, ``access``, ``submission``) decides what each
role sees and may set; the view translates the request and shows the errors by their labels.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control

from jiceng.areas import geo
from jiceng.areas.models import Area, AreaLevel, Grid

from . import access
from .actions import Upload, do_submit
from .errors import CaseError
from .models import Category
from .states import Channel, Urgency
from .submission import submission_form, submit_categories

# The form's own labels, so an error names the field as the form shows it, never by its key.
LABELS = {
    "category": gettext_lazy("Category"), "area": gettext_lazy("Village / community"), "grid": gettext_lazy("Grid"),
    "title": gettext_lazy("Title"), "description": gettext_lazy("Description"), "address": gettext_lazy("Address"),
    "channel": gettext_lazy("Channel"), "urgency": gettext_lazy("Urgency"), "reporter_name": gettext_lazy("Reporter's name"),
    "reporter_phone": gettext_lazy("Reporter's phone"), "reporter_id_number": gettext_lazy("Reporter's ID number"),
    "anonymous": gettext_lazy("Anonymous"), "files": gettext_lazy("Photos and files"), "idempotency_key": gettext_lazy("Form"),
}


def _field_label(field: str, category: Category | None) -> str:
    if field.startswith("fields.") and category is not None:
        name = field[7:]
        return next((str(s["label"]) for s in category.field_specs() if s["name"] == name), "")
    return str(LABELS.get(field, ""))


def _float(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _place_by_position(request: HttpRequest, villages: list[Area]) -> tuple[Area | None, Grid | None]:
    """The village (and grid) at the pinned or GPS position, if it is one the user may file in."""
    lat, lon = _float(request.POST.get("lat", "")), _float(request.POST.get("lon", ""))
    if lat is None or lon is None:
        return None, None
    found = geo.resolve_location(lat=lat, lon=lon)
    area = next((a for a in villages if found and a.code == found.village.code), None)
    return area, (found.grid if area else None)


def _context(request: HttpRequest) -> dict:
    form = submission_form(request.user)
    villages = list(access.submit_villages(request.user).select_related("parent"))
    townships = sorted({v.parent_id: v.parent for v in villages if v.parent_id}.values(), key=lambda t: t.code)
    initial = {"reporter_name": form.reporter_name, "reporter_phone": form.reporter_phone, "area": form.area_code,
               "grid": str(form.grid_id or ""), "channel": form.channel, "urgency": Urgency.NORMAL}
    values = request.POST.dict() if request.method == "POST" else initial
    area_code = values.get("area", "")
    return {
        "form": form, "leaves": submit_categories(request.user), "villages": villages, "townships": townships,
        "township": area_code[:9] + "000" if area_code else "", "urgencies": Urgency.choices, "values": values,
        "grids": Grid.objects.filter(area_id=area_code).order_by("code") if area_code else [],
        "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex,
        "submitted_fields": {k[7:]: v for k, v in values.items() if k.startswith("fields.")},
    }


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    if request.method != "POST":
        return render(request, "cases/new.html", ctx)
    post, form = request.POST, ctx["form"]
    category = next((c for c in ctx["leaves"] if c.code == post.get("category", "")), None)
    files = request.FILES.getlist("files")
    try:
        if category is None:
            raise CaseError(_("Choose a category"), field="category")
        area = next((a for a in ctx["villages"] if a.code == post.get("area")), None)
        grid = Grid.objects.filter(pk=post.get("grid")).first() if (post.get("grid") or "").isdigit() else None
        if area is None:
            area, grid = _place_by_position(request, ctx["villages"])
        if area is None:
            raise CaseError(_("Choose a village or community, or pin the place on the map"), field="area")
        case, _created = do_submit(
            user=request.user, category=category, area=area, grid=grid, title=post.get("title", ""), description=post.get("description", ""),
            address=post.get("address", ""), channel=(post.get("channel") or form.channel) if form.channels else Channel.WEB,
            urgency=post.get("urgency") or Urgency.NORMAL, fields={k[7:]: v for k, v in post.items() if k.startswith("fields.") and v != ""},
            anonymous=post.get("anonymous") == "on", reporter_name=post.get("reporter_name", ""), reporter_phone=post.get("reporter_phone", ""),
            reporter_id_number=post.get("reporter_id_number", "") if form.records_for_others else "",
            idempotency_key=post.get("idempotency_key") or None,
            uploads=[Upload(f.name, f.read(), f.content_type or "application/octet-stream") for f in files],
        )
    except CaseError as exc:
        ctx.update(error=exc, error_label=_field_label(exc.field or "", category), lost_files=[f.name for f in files],
                   specs=[s for s in (category.field_specs() if category else []) if s.get("stage", "submit") == "submit"])
        return render(request, "cases/new.html", ctx, status=400)
    messages.success(request, _("Case %(number)s submitted; its query code is %(code)s") % {"number": case.number, "code": case.query_code})
    return redirect("cases:receipt", number=case.number)


@login_required
def category_fields(request: HttpRequest) -> HttpResponse:
    """htmx partial: the extra fields of the chosen category (the submit stage only: handlers fill the rest)."""
    category = Category.objects.filter(code=request.GET.get("category", "")).first()
    specs = [s for s in (category.field_specs() if category else []) if s.get("stage", "submit") == "submit"]
    return render(request, "cases/_category_fields.html", {"specs": specs, "submitted_fields": {}})


@login_required
def village_grids(request: HttpRequest) -> HttpResponse:
    """htmx partial: the grids of the chosen village."""
    grids = Grid.objects.filter(area_id=request.GET.get("area", "")).order_by("code")
    return render(request, "cases/_grids.html", {"grids": grids, "values": {}})


@login_required
def locate(request: HttpRequest) -> JsonResponse:
    """The village, township and grid at a GPS or map position (WGS-84), for the form to select; 404 outside the user's villages."""
    lat, lon = _float(request.GET.get("lat", "")), _float(request.GET.get("lon", ""))
    found = geo.resolve_location(lat=lat, lon=lon) if lat is not None and lon is not None else None
    village = access.submit_villages(request.user).filter(code=found.village.code).select_related("parent").first() if found else None
    if village is None:
        return JsonResponse({"error": _("This position is not in a village or community you can report in; choose it from the list")}, status=404)
    return JsonResponse({"area": village.code, "area_name": village.name, "township": village.parent_id, "township_name": village.parent.name,
                         "grid": found.grid.pk if found.grid else None, "lat": lat, "lon": lon})


@login_required
@cache_control(private=True, max_age=3600)
def village_map(request: HttpRequest) -> JsonResponse:
    """GeoJSON of the villages the user may report in that have a boundary, for the map pin (ECharts)."""
    features = []
    for v in access.submit_villages(request.user).filter(level=AreaLevel.VILLAGE, boundary__isnull=False).only("code", "name", "boundary"):
        if v.boundary:
            features.append({"type": "Feature", "properties": {"name": v.name, "code": v.code}, "geometry": v.boundary})
    return JsonResponse({"type": "FeatureCollection", "features": features})
