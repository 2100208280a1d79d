"""Web pages for submitting a case: the form, and the htmx partials it loads (category fields, grids).

Thin like every view: the domain (``do_submit``, ``access``) decides, the view translates.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jiceng.areas.models import Grid

from . import access
from .actions import Upload, do_submit
from .errors import CaseError
from .models import Category
from .states import Channel, Urgency


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    leaves = Category.objects.filter(children__isnull=True, active=True).select_related("parent")
    areas = list(access.submit_villages(request.user))
    ctx: dict = {"leaves": leaves, "areas": areas, "channels": Channel.choices, "urgencies": Urgency.choices, "values": request.POST.dict(),
                 "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex}
    if request.method == "POST":
        post = request.POST
        category = Category.objects.filter(code=post.get("category", "")).first()
        try:
            if category is None:
                raise CaseError(_("Choose a category"), field="category")
            area = next((a for a in areas if a.code == post.get("area")), None)
            if area is None:
                raise CaseError(_("Choose a village or community"), field="area")
            grid = Grid.objects.filter(pk=post.get("grid") or 0).first() if (post.get("grid") or "").isdigit() else None
            fields = {k[7:]: v for k, v in post.items() if k.startswith("fields.") and v != ""}
            uploads = [Upload(f.name, f.read(), f.content_type or "application/octet-stream") for f in request.FILES.getlist("files")]
            case, _created = do_submit(
                user=request.user, category=category, area=area, grid=grid, title=post.get("title", ""), description=post.get("description", ""),
                address=post.get("address", ""), channel=post.get("channel") or Channel.WEB, urgency=post.get("urgency") or Urgency.NORMAL, fields=fields, anonymous=post.get("anonymous") == "on",
                reporter_name=post.get("reporter_name", ""), reporter_phone=post.get("reporter_phone", ""),
                reporter_id_number=post.get("reporter_id_number", ""), idempotency_key=post.get("idempotency_key") or None, uploads=uploads,
            )
        except CaseError as exc:
            ctx["error"] = exc
            ctx["specs"] = category.field_specs() if category else []
            return render(request, "cases/new.html", ctx, status=400)
        messages.success(request, _("Case %(number)s submitted; its query code is %(code)s") % {"number": case.number, "code": case.query_code})
        return redirect("cases:detail", number=case.number)
    return render(request, "cases/new.html", ctx)


@login_required
def category_fields(request: HttpRequest) -> HttpResponse:
    """htmx partial: the extra fields of the chosen category."""
    category = Category.objects.filter(code=request.GET.get("category", "")).first()
    specs = [s for s in (category.field_specs() if category else []) if s.get("stage", "submit") == "submit"]
    return render(request, "cases/_category_fields.html", {"specs": specs, "values": {}})


@login_required
def village_grids(request: HttpRequest) -> HttpResponse:
    """htmx partial: the grids of the chosen village."""
    grids = Grid.objects.filter(area_id=request.GET.get("area", ""))
    return render(request, "cases/_grids.html", {"grids": grids})
