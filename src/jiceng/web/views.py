"""Thin views over the case engine; every case query goes through the scope layer."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.models import Role
from jiceng.accounts.scope import actor_for, log_personal_data_access, needs_personal_data, visible_cases
from jiceng.areas.models import NEXT_LEVEL, Area, AreaLevel, Grid, Unit, UnitLevel, subtree_q
from jiceng.cases import sla, workflow
from jiceng.cases.actions import Upload, do_case_action, do_submit
from jiceng.cases.errors import CaseError
from jiceng.cases.filters import PAGE_SIZE, CaseFilter, filter_cases, page_of
from jiceng.cases.models import Case, Category
from jiceng.cases.reports import resolution_levels
from jiceng.cases.routing import suggest_unit
from jiceng.cases.states import OPEN_STATES, Action, Channel, Rating, State, Urgency
from jiceng.people.masking import person_fields

from .forms import ACTION_FIELDS



@login_required
def home(request: HttpRequest) -> HttpResponse:
    cases = visible_cases(request.user)
    by_state = dict(cases.values_list("state").annotate(n=Count("id")).order_by())
    now = timezone.now()
    overdue = cases.filter(sla.overdue_q(now)).count()
    unit_ids = list(request.user.units.values_list("id", flat=True))
    queue = list(cases.filter(unit_id__in=unit_ids, state__in=[State.DISPATCHED, State.HANDLING, State.SUSPENDED]).select_related("category", "unit")[:20])
    for c in queue:
        c.due = sla.due_status(c, now)
    states = [(s, s.label, by_state.get(s.value, 0)) for s in State]
    return render(request, "web/home.html", {"states": states, "total": sum(by_state.values()), "overdue": overdue, "queue": queue,
                                             "levels": resolution_levels(cases)})


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    f = CaseFilter.from_params(request.GET)
    qs = filter_cases(visible_cases(request.user).select_related("category", "unit", "area"), f)
    page, next_before = page_of(qs, PAGE_SIZE)
    now = timezone.now()
    for c in page:
        c.due = sla.due_status(c, now)
    return render(request, "web/case_list.html", {
        "cases": page, "next_before": next_before, "params": urlencode(f.as_query()), "states": State.choices,
        "categories": Category.objects.filter(parent__isnull=True), "state": f.state, "category": f.category, "q": f.q, "now": now,
    })


def _case_or_404(request: HttpRequest, number: str) -> Case:
    case = visible_cases(request.user).select_related("category", "area", "unit", "grid", "owner").filter(number=number).first()
    if case is None:
        raise Http404(_("No such case, or it is not visible to you"))
    return case


def _personal(case: Case, reveal: bool) -> dict:
    return person_fields(case.reporter_name, case.reporter_phone, case.reporter_id_number, case.address, reveal=reveal)


def _action_forms(case: Case, user) -> list[dict]:
    actor = actor_for(user, case)
    forms = []
    for action in workflow.allowed_actions(case.snapshot(), actor):
        spec = []
        for name, widget, label in ACTION_FIELDS[action]:
            field = {"name": name, "widget": widget, "label": label}
            if widget == "unit":
                field["choices"] = Unit.objects.filter(level=case.level, active=True).filter(
                    Q(area_id=case.area_id) | Q(area_id=case.area_id[:9] + "000") | Q(area_id=case.area_id[:6] + "000000")
                )
                field["suggested"] = suggest_unit(case.category, case.area_id, case.level)
            elif widget == "next_unit" and case.level in NEXT_LEVEL:
                nxt = NEXT_LEVEL[UnitLevel(case.level)]
                field["choices"] = Unit.objects.filter(level=nxt, active=True).filter(Q(area_id=case.area_id[:9] + "000") | Q(area_id=case.area_id[:6] + "000000"))
                field["suggested"] = suggest_unit(case.category, case.area_id, nxt)
            elif widget == "rating":
                field["choices"] = Rating.choices
            elif widget == "decision":
                field["choices"] = [("reopen", _("Reopen for handling")), ("uphold", _("Uphold the result"))]
            elif widget == "resolve_fields":
                field["specs"] = [s for s in case.category.field_specs() if s.get("stage") == "resolve"]
                if not field["specs"]:
                    continue
            spec.append(field)
        forms.append({"action": action, "label": Action(action).label, "fields": spec})
    return forms


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = _case_or_404(request, number)
    reveal = request.GET.get("reveal") == "1" and needs_personal_data(request.user, case)
    if reveal:
        log_personal_data_access(request.user, case)
    events = case.events.select_related("actor", "unit").order_by("seq")
    return render(request, "web/case_detail.html", {
        "case": case, "due": sla.due_status(case, timezone.now()), "events": events, "person": _personal(case, reveal), "can_reveal": needs_personal_data(request.user, case) and not reveal,
        "forms": _action_forms(case, request.user), "attachments": case.attachments.all(),
        "duplicates": visible_cases(request.user).filter(merged_into=case.number).only("number", "title"),
        "field_labels": {s["name"]: s["label"] for s in case.category.field_specs()},
    })


@login_required
@require_POST
def case_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    case = _case_or_404(request, number)
    params = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "version") and not k.startswith("fields.")}
    fields = {k[7:]: v for k, v in request.POST.items() if k.startswith("fields.") and v != ""}
    if fields:
        params["fields"] = fields
    uploads = [Upload(f.name, f.read(), f.content_type or "application/octet-stream") for f in request.FILES.getlist("files")]
    version = request.POST.get("version", "")
    try:
        do_case_action(case, action, request.user, params, expected_version=int(version) if version.isdigit() else None, uploads=uploads)
    except CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done: %(action)s") % {"action": Action(action).label})
    return redirect("case_detail", number=case.number)


def _submit_areas(user) -> list[Area]:
    qs = Area.objects.filter(level=AreaLevel.VILLAGE)
    if user.role in (Role.RESIDENT, Role.ADMIN, Role.INTEGRATION) or user.scope_area_id is None:
        return list(qs)
    return list(qs.filter(subtree_q("code", user.scope_area.prefix)))


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    leaves = Category.objects.filter(children__isnull=True, active=True).select_related("parent")
    areas = _submit_areas(request.user)
    ctx: dict = {"leaves": leaves, "areas": areas, "channels": Channel.choices, "urgencies": Urgency.choices, "values": request.POST.dict(),
                 "idempotency_key": request.POST.get("idempotency_key") or uuid.uuid4().hex}
    if request.method == "POST":
        post = request.POST
        try:
            category = leaves.filter(code=post.get("category", "")).first()
            if category is None:
                raise CaseError(_("Choose a category"), field="category")
            area = next((a for a in areas if a.code == post.get("area")), None)
            if area is None:
                raise CaseError(_("Choose a village or community"), field="area")
            grid = Grid.objects.filter(pk=post.get("grid") or 0, area=area).first()
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
            return render(request, "web/case_new.html", ctx, status=400)
        messages.success(request, _("Case %(number)s submitted") % {"number": case.number})
        return redirect("case_detail", number=case.number)
    return render(request, "web/case_new.html", ctx)


@login_required
def category_fields(request: HttpRequest) -> HttpResponse:
    """htmx partial: the extra fields of the chosen category."""
    category = Category.objects.filter(code=request.GET.get("category", "")).first()
    return render(request, "web/_category_fields.html", {"specs": [s for s in (category.field_specs() if category else []) if s.get("stage", "submit") == "submit"], "values": {}})


@login_required
def village_grids(request: HttpRequest) -> HttpResponse:
    """htmx partial: the grids of the chosen village."""
    grids = Grid.objects.filter(area_id=request.GET.get("area", ""))
    return render(request, "web/_grids.html", {"grids": grids})


def track(request: HttpRequest) -> HttpResponse:
    """Public page: follow a case by its number. Shows no personal data."""
    number = request.GET.get("number", "").strip()
    case = Case.objects.select_related("category", "unit", "area").filter(number=number).first() if number else None
    events = case.events.select_related("unit").order_by("seq").only("action", "at", "to_state", "unit__name") if case else []
    return render(request, "web/track.html", {"number": number, "case": case, "events": events})
