"""Web pages of the programmes: the worker's phone pages (my visits, the visit form) and the managers' desktop pages
(pairings, unpaired households, plans, overdue visits, monitoring), each list exportable to Excel.

Thin: scope from ``programmes.access`` / ``people.access``, changes through the ``do_*`` operations.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.capabilities import Capability, can
from jiceng.accounts.models import User
from jiceng.areas.models import Area
from jiceng.cases.actions import Upload
from jiceng.cases.models import Category
from jiceng.errors import DomainError, NotFound
from jiceng.people import access as people_access
from jiceng.people import views as people_views
from jiceng.people.export import xlsx_response
from jiceng.people.filters import page_of
from jiceng.people.models import Household, TagKind
from jiceng.people.tagkinds import RISK_TYPES

from . import access
from .filters import by_area, by_plan
from .models import MonitoredHousehold, MonitoringStatus, Pairing, PairingScheme, PlanKind, VisitPlan
from .monitoring import MEASURE_KINDS, do_add_measure, do_exit_monitoring, do_monitor_household, do_record_income, income_line
from .pairing import checklist, do_end_pairing, do_mark_duty, do_pair, unpaired_monitored
from .visits import PlanInput, VisitInput, do_create_plan, do_log_visit, do_open_case_from_visit, finding_category_choices


def _require_manager(request: HttpRequest) -> None:
    if not can(request.user, Capability.MANAGE_PROGRAMMES):
        raise PermissionDenied


def _or_404(func, *args):
    try:
        return func(*args)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _areas(request: HttpRequest):
    """Areas a manager may pick for a plan: their scope area and everything under it, down to villages."""
    q = access.area_q(request.user, "code")
    qs = Area.objects.all() if q is None else Area.objects.filter(q)
    return qs.exclude(level__in=["province", "prefecture"]).order_by("code")


def _bad_params(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


# --- the worker's pages (phone) ------------------------------------------------------------

@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """My overdue and coming visits and patrols, and my pairings with their duty checklists."""
    today = timezone.localdate()
    overdue = list(access.overdue_visits_for(request.user, today)[:100])
    soon = list(access.due_soon_for(request.user, 7, today)[:100])
    pairings = list(Pairing.objects.filter(helper=request.user, ended__isnull=True).select_related("scheme", "household", "household__head"))
    show = people_access.shows_names(request.user)
    for p in pairings:
        p.items = checklist(p)
        p.head_name = people_access.listed_person(request.user, p.household.head, show)["name"] if p.household.head_id else ""
    for t in overdue:
        t.days_late = (today - t.next_due).days
    from .cadres import tasks_of

    tasks = list(tasks_of(request.user).filter(year=today.year))
    return render(request, "programmes/mine.html", {"overdue": overdue, "soon": soon, "pairings": pairings, "today": today, "tasks": tasks})


@login_required
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone form: time, findings, photos, position."""
    target = _or_404(access.access_target, request.user, pk)
    ctx = {"target": target, "values": request.POST.dict(), "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    if request.method == "POST":
        photos = tuple(Upload(f.name, f.read(), f.content_type or "application/octet-stream") for f in request.FILES.getlist("photos"))
        data = VisitInput(at=request.POST.get("at") or None, findings=request.POST.get("findings", ""),
                          needs_action=request.POST.get("needs_action") == "1", lat=request.POST.get("lat") or None,
                          lon=request.POST.get("lon") or None, photos=photos)
        try:
            visit = do_log_visit(request.user, target, data)
        except DomainError as exc:
            ctx["error"], ctx["error_field"] = exc.message, exc.field
        else:
            messages.success(request, _("走访已登记"))
            if visit.needs_action:
                return redirect("programmes:visit", pk=visit.pk)
            return redirect("programmes:mine")
    return render(request, "programmes/visit_new.html", ctx)


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _or_404(access.access_visit, request.user, pk)
    categories = finding_category_choices()
    suggested = categories.filter(parent__code="fanpin").first() if visit.household_id and hasattr(visit.household, "monitoring") else None
    chosen = suggested
    specs = [s for s in (chosen.field_specs() if chosen else []) if s.get("stage", "submit") == "submit"]
    return render(request, "programmes/visit_detail.html", {"visit": visit, "photos": visit.photos.all(), "categories": categories,
                                                            "suggested": chosen.code if chosen else "", "specs": specs, "values": {}})


@login_required
@require_POST
def visit_case(request: HttpRequest, pk: int) -> HttpResponse:
    """A finding opens a case in one step, pre-filled from the visit."""
    visit = _or_404(access.access_visit, request.user, pk)
    category = Category.objects.filter(code=request.POST.get("category", ""), active=True, children__isnull=True).first()
    try:
        if category is None:
            raise DomainError(_("请选择工单类别"), field="category")
        fields = {k[7:]: v for k, v in request.POST.items() if k.startswith("fields.") and v != ""}
        case = do_open_case_from_visit(request.user, visit, category=category, title=request.POST.get("title", ""),
                                       urgency=request.POST.get("urgency", "normal"), fields=fields)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("programmes:visit", pk=visit.pk)
    messages.success(request, _("已转为工单 %(number)s") % {"number": case.number})
    return redirect("cases:detail", number=case.number)


# --- managers' pages (desktop) -----------------------------------------------------------------

@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    today = timezone.localdate()
    targets = by_area(access.visible_targets(request.user), {})
    monitored = access.visible_monitored(request.user)
    return render(request, "programmes/index.html", {
        "overdue": targets.filter(access.overdue_q(today), plan__active=True).count(),
        "targets": targets.filter(plan__active=True).count(),
        "monitored": monitored.filter(status=MonitoringStatus.MONITORED).count(),
        "unpaired": unpaired_monitored(request.user).count(),
        "pairings": access.visible_pairings(request.user).filter(ended__isnull=True).count(),
        "plans": access.visible_plans(request.user).filter(active=True).count(),
    })


@login_required
def pairings(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    if request.method == "POST" and request.FILES.get("file"):
        from jiceng.people.importer import ImportRejected, read_sheet

        from .importer import COLUMNS, REQUIRED, do_import_pairings

        upload = request.FILES["file"]
        try:
            made = do_import_pairings(request.user, read_sheet(upload.read(), upload.name, COLUMNS, REQUIRED))
        except ImportRejected as exc:
            messages.error(request, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已导入结对 %(n)s 对") % {"n": made})
        return redirect("programmes:pairings")
    if request.method == "POST":
        try:
            scheme = PairingScheme.objects.filter(code=request.POST.get("scheme", "")).first()
            if scheme is None:
                raise DomainError(_("请选择结对方案"), field="scheme")
            household = people_access.access_household(request.user, request.POST.get("household", ""))
            helper = User.objects.filter(username=request.POST.get("helper", "").strip()).first()
            if helper is None:
                raise DomainError(_("没有这个帮扶人账号"), field="helper")
            do_pair(request.user, scheme=scheme, helper=helper, household=household, started=request.POST.get("started") or None)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已结对：%(helper)s — %(household)s") % {"helper": helper.display_name, "household": household.number})
        return redirect(request.get_full_path())
    qs = access.visible_pairings(request.user).select_related("scheme", "helper", "household", "household__area", "household__head")
    if request.GET.get("ended") != "1":
        qs = qs.filter(ended__isnull=True)
    try:
        qs = by_area(qs, request.GET, "household__area_id").order_by("-id")
    except DomainError as exc:
        _bad_params(request, exc)
        qs = qs.order_by("-id")
    show = people_access.shows_names(request.user)
    if request.GET.get("export") == "xlsx":
        rows = ([p.scheme.name, p.helper.display_name, p.household.number,
                 people_access.listed_person(request.user, p.household.head, show)["name"] if p.household.head_id else "",
                 p.household.area.name, p.started, p.ended,
                 "、".join(f"{d} {p.duties_done[d]}" for d in p.scheme.duties if d in p.duties_done),
                 "、".join(d for d in p.scheme.duties if d not in p.duties_done)]
                for p in qs.iterator(chunk_size=2000))
        return xlsx_response("pairings.xlsx", "结对帮扶", ["结对方案", "帮扶人", "户编号", "户主", "村（社区）", "结对日期", "解除日期",
                                                         "已做职责（最近日期）", "未记录的职责"], rows)
    page, next_before = page_of(qs)
    for p in page:
        p.items = checklist(p)
        p.head_name = people_access.listed_person(request.user, p.household.head, show)["name"] if p.household.head_id else ""
    return render(request, "programmes/pairings.html", {
        "pairings": page, "next_before": next_before, "schemes": PairingScheme.objects.filter(active=True),
        "params": urlencode({k: request.GET[k] for k in ("area", "ended") if request.GET.get(k)}), "prefill": request.GET.get("household", ""),
    })


@login_required
@require_POST
def pairing_duty(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = access.visible_pairings(request.user).filter(pk=pk).first()
    if pairing is None:
        raise Http404
    try:
        do_mark_duty(request.user, pairing, request.POST.get("duty", ""), on=request.POST.get("on") or None)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已记录：%(duty)s") % {"duty": request.POST.get("duty", "")})
    return redirect(request.POST.get("next") if request.POST.get("next") in ("/programmes/mine/", "/programmes/pairings/") else "programmes:mine")


@login_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = access.visible_pairings(request.user).filter(pk=pk).first()
    if pairing is None:
        raise Http404
    try:
        do_end_pairing(request.user, pairing, ended=request.POST.get("ended") or None, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("结对已解除"))
    return redirect("programmes:pairings")


@login_required
def unpaired(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    scheme = PairingScheme.objects.filter(code=request.GET.get("scheme", "")).first()
    qs = unpaired_monitored(request.user, scheme)
    try:
        qs = by_area(qs, request.GET).order_by("area_id", "id")
    except DomainError as exc:
        _bad_params(request, exc)
    show = people_access.shows_names(request.user)
    if request.GET.get("export") == "xlsx":
        rows = ([m.household.number, people_access.listed_person(request.user, m.household.head, show)["name"] if m.household.head_id else "",
                 m.area.name, "、".join(m.risk_types), m.identified_on] for m in qs.iterator(chunk_size=2000))
        return xlsx_response("unpaired.xlsx", "未结对监测户", ["户编号", "户主", "村（社区）", "风险类型", "纳入日期"], rows)
    rows = list(qs[:200])
    for m in rows:
        m.head_name = people_access.listed_person(request.user, m.household.head, show)["name"] if m.household.head_id else ""
    return render(request, "programmes/unpaired.html", {"rows": rows, "total": qs.count(), "schemes": PairingScheme.objects.all(),
                                                        "scheme": scheme, "params": urlencode({k: request.GET[k] for k in ("scheme", "area") if request.GET.get(k)})})


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    ctx: dict = {"values": request.POST.dict(), "kinds": PlanKind.choices, "tag_kinds": TagKind.objects.all(), "areas": _areas(request)}
    if request.method == "POST":
        post = request.POST
        try:
            area = _areas(request).filter(code=post.get("area", "")).first()
            if area is None:
                raise DomainError(_("请选择范围"), field="area")
            interval = post.get("interval_days", "")
            data = PlanInput(name=post.get("name", ""), kind=post.get("kind", ""), area=area, starts=post.get("starts", ""),
                             interval_days=int(interval) if interval.isdigit() else None, due=post.get("due") or None,
                             tag_kind=TagKind.objects.filter(code=post.get("tag_kind", "")).first(), description=post.get("description", ""))
            plan = do_create_plan(request.user, data)
        except DomainError as exc:
            ctx["error"] = exc.message
        else:
            messages.success(request, _("计划已制定：%(n)s 个走访（巡查）对象") % {"n": plan.targets.count()})
            return redirect("programmes:plan", pk=plan.pk)
    ctx["plans"] = access.visible_plans(request.user).select_related("area", "tag_kind").order_by("-id")[:100]
    return render(request, "programmes/plans.html", ctx)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.visible_plans(request.user).select_related("area", "tag_kind", "created_by").filter(pk=pk).first()
    if plan is None:
        raise Http404
    today = timezone.localdate()
    targets = access.visible_targets(request.user).filter(plan=plan).select_related("household", "household__head", "grid", "area", "assignee")
    return render(request, "programmes/plan_detail.html", {
        "plan": plan, "targets": targets.order_by("next_due", "id")[:300], "total": targets.count(),
        "overdue": targets.filter(access.overdue_q(today)).count(), "done": targets.filter(next_due__isnull=True).count(), "today": today,
    })


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Overdue visits and patrols of the manager's area (by worker), with an export."""
    _require_manager(request)
    today = timezone.localdate()
    qs = access.visible_targets(request.user).filter(access.overdue_q(today), plan__active=True)
    try:
        qs = by_plan(by_area(qs, request.GET), request.GET)
    except DomainError as exc:
        _bad_params(request, exc)
    qs = qs.select_related("plan", "household", "grid", "area", "assignee").order_by("next_due", "id")
    if request.GET.get("export") == "xlsx":
        rows = ([t.plan.name, t.household.number if t.household_id else "", t.grid.name if t.grid_id else "", t.area.name,
                 t.assignee.display_name, t.next_due, (today - t.next_due).days, t.last_visit_at] for t in qs.iterator(chunk_size=2000))
        return xlsx_response("overdue-visits.xlsx", "逾期走访", ["计划", "走访户", "巡查网格", "村（社区）", "责任人", "应访日期", "逾期天数", "最近走访"], rows)
    rows = list(qs[:200])
    for t in rows:
        t.days_late = (today - t.next_due).days
    return render(request, "programmes/overdue.html", {"rows": rows, "total": qs.count(),
                                                       "params": urlencode({k: request.GET[k] for k in ("area", "plan") if request.GET.get(k)})})


@login_required
def visits(request: HttpRequest) -> HttpResponse:
    qs = access.visible_visits(request.user).select_related("household", "grid", "area", "by", "case")
    try:
        qs = by_area(qs, request.GET).order_by("-at", "-id")
    except DomainError as exc:
        _bad_params(request, exc)
        qs = qs.order_by("-at", "-id")
    if request.GET.get("export") == "xlsx":
        rows = ([timezone.localtime(v.at), v.by.display_name, v.household.number if v.household_id else "", v.grid.name if v.grid_id else "",
                 v.area.name, v.findings, "是" if v.needs_action else "", v.case.number if v.case_id else "", v.lat, v.lon]
                for v in qs.iterator(chunk_size=2000))
        return xlsx_response("visits.xlsx", "走访记录", ["走访时间", "走访人", "走访户", "网格", "村（社区）", "发现情况", "需要处置", "转办工单", "纬度", "经度"], rows)
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(pk__lt=int(before))
    rows = list(qs[:100])
    return render(request, "programmes/visits.html", {"rows": rows, "params": urlencode({k: request.GET[k] for k in ("area",) if request.GET.get(k)})})


@login_required
def monitoring(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    if request.method == "POST":
        try:
            household = people_access.access_household(request.user, request.POST.get("household", ""))
            m = do_monitor_household(request.user, household, risk_types=request.POST.getlist("risk_types"),
                                     identified_on=request.POST.get("identified_on") or None)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("programmes:monitoring")
        messages.success(request, _("已纳入监测"))
        return redirect("programmes:monitored", pk=m.pk)
    qs = access.visible_monitored(request.user).select_related("household", "household__head", "area")
    status = request.GET.get("status", MonitoringStatus.MONITORED)
    if status in MonitoringStatus.values:
        qs = qs.filter(status=status)
    try:
        qs = by_area(qs, request.GET).order_by("-id")
    except DomainError as exc:
        _bad_params(request, exc)
        qs = qs.order_by("-id")
    show = people_access.shows_names(request.user)
    if request.GET.get("export") == "xlsx":
        rows = ([m.household.number, people_access.listed_person(request.user, m.household.head, show)["name"] if m.household.head_id else "",
                 m.area.name, "、".join(m.risk_types), m.get_status_display(), m.identified_on, m.exited_on, m.exit_evidence]
                for m in qs.iterator(chunk_size=2000))
        return xlsx_response("monitoring.xlsx", "防返贫监测户", ["户编号", "户主", "村（社区）", "风险类型", "状态", "纳入日期", "风险消除日期", "风险消除依据"], rows)
    page, next_before = page_of(qs)
    for m in page:
        m.head_name = people_access.listed_person(request.user, m.household.head, show)["name"] if m.household.head_id else ""
    return render(request, "programmes/monitoring.html", {"rows": page, "next_before": next_before, "status": status,
                                                          "statuses": MonitoringStatus.choices, "risk_types": RISK_TYPES,
                                                          "params": urlencode({k: request.GET[k] for k in ("area", "status") if request.GET.get(k)})})


@login_required
def monitored_detail(request: HttpRequest, pk: int) -> HttpResponse:
    m = access.visible_monitored(request.user).select_related("household", "household__head", "area", "exited_by").filter(pk=pk).first()
    if m is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "income":
                _record, case = do_record_income(request.user, m, year=request.POST.get("year"), total=request.POST.get("total"),
                                                 members=request.POST.get("members") or None)
                messages.success(request, _("收入已记录") if case is None else _("收入已记录；人均收入低于监测线，已生成工单 %(n)s") % {"n": case.number})
            elif action == "measure":
                do_add_measure(request.user, m, kind=request.POST.get("kind", ""), description=request.POST.get("description", ""),
                               on=request.POST.get("on") or None)
                messages.success(request, _("帮扶措施已记录"))
            elif action == "exit":
                do_exit_monitoring(request.user, m, exited_on=request.POST.get("exited_on"), evidence=request.POST.get("evidence", ""))
                messages.success(request, _("已认定风险消除"))
            else:
                raise DomainError(_("未知的操作"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("programmes:monitored", pk=m.pk)
    from .models import CaseLink

    return render(request, "programmes/monitored.html", {
        "m": m, "incomes": m.incomes.all(), "measures": m.measures.select_related("by"), "line": income_line(), "kinds": MEASURE_KINDS,
        "links": CaseLink.objects.filter(household=m.household).select_related("case"), "can_manage": access.can_manage_in(request.user, m.area),
        "pairings": Pairing.objects.filter(household=m.household, ended__isnull=True).select_related("helper", "scheme"),
        "this_year": timezone.localdate().year,
    })


def household_panel(request: HttpRequest, household: Household) -> str | None:
    """The programmes' panel on the registry's household page: pairings, monitoring, visits and linked cases."""
    from .models import CaseLink, Visit

    pairs = Pairing.objects.filter(household=household, ended__isnull=True).select_related("helper", "scheme")
    monitored = MonitoredHousehold.objects.filter(household=household).first()
    recent = access.visible_visits(request.user).filter(household=household).select_related("by", "case")[:10]
    links = CaseLink.objects.filter(household=household).select_related("case")[:20]
    return render_to_string("programmes/_household_panel.html", {
        "pairings": pairs, "monitored": monitored, "visits": recent, "links": links, "household": household,
        "can_manage": access.can_manage_in(request.user, household.area)}, request=request)


if household_panel not in people_views.HOUSEHOLD_PANELS:
    people_views.HOUSEHOLD_PANELS.append(household_panel)
