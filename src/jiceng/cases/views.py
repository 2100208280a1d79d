"""Web pages of the case engine: list, case page, actions, public tracking (submission: ``submit_views``).

Thin: every decision is asked of ``access`` (who sees and does what) and the
domain operations (``do_submit``, ``do_case_action``); views translate the
request and show the errors.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from jiceng.accounts.capabilities import Capability, can
from jiceng.spreadsheet import xlsx_response
from jiceng.throttle import check_rate

from . import access, files, sla, timeline
from .actions import Upload, do_case_action
from .errors import CaseError, NotFound
from .intake import do_place_report, do_reject_report, waiting_reports
from .filters import PAGE_SIZE, SORTS, CaseFilter, count_upto, filter_cases, ordered, sorted_page
from .models import Case, Category
from .verify import check_case_events
from .states import Action, Channel, State, Urgency


def case_or_404(request: HttpRequest, number: str) -> Case:
    """The case if the viewer may read it (access.access_case); the 404 page otherwise. For every app's case views."""
    try:
        return access.access_case(request.user, number)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _filtered(request: HttpRequest) -> tuple[CaseFilter, "QuerySet[Case]"]:
    f = CaseFilter.from_params(request.GET)
    qs = filter_cases(access.visible_cases(request.user), f, by_phone=access.may_search_by_phone(request.user))
    return f, qs


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "new")
    sort = sort if sort in SORTS else "new"
    f, qs = _filtered(request)  # a bogus filter is InvalidInput: the security middleware answers a Chinese 400 page
    page, next_cursor = sorted_page(qs.select_related("category", "unit", "area"), sort, request.GET.get("cursor", ""), PAGE_SIZE)
    total = count_upto(qs)
    now = timezone.now()
    for c in page:
        c.due = sla.due_status(c, now)
    query = {**f.as_query(), **({"sort": sort} if sort != "new" else {})}
    return render(request, "cases/list.html", {
        "cases": page, "next_cursor": next_cursor, "params": urlencode(query), "total": total.n, "total_more": total.more, "total_text": f"{total.n:,}", "f": f, "sort": sort, "sorts": SORTS,
        "states": State.choices, "urgencies": Urgency.choices, "channels": Channel.choices,
        "categories": Category.objects.filter(parent__isnull=True), "areas": access.filter_areas(request.user),
        "units": access.filter_units(request.user), "state": f.state, "category": f.category, "q": f.q, "now": now,
        "export_limit": EXPORT_LIMIT,
    })


EXPORT_LIMIT = 50_000
EXPORT_HEADERS = (
    gettext_lazy("Case number"), gettext_lazy("Title"), gettext_lazy("Category"), gettext_lazy("Township / street"),
    gettext_lazy("Village / community"), gettext_lazy("Grid"), gettext_lazy("Channel"), gettext_lazy("Urgency"), gettext_lazy("State"),
    gettext_lazy("Tier"), gettext_lazy("Handling unit"), gettext_lazy("Submitted at"), gettext_lazy("Deadline"), gettext_lazy("Overdue"),
    gettext_lazy("Times supervised"), gettext_lazy("Rating"), gettext_lazy("Resolved at tier"),
)


def _export_rows(qs, now):
    yes, no = _("Yes"), _("No")
    for c in qs.iterator(chunk_size=2000):
        text = access.export_text(c)
        yield (c.number, text(c.title), c.category.name, c.area.parent.name if c.area.parent_id else "", c.area.name,
               c.grid.name if c.grid_id else "", c.get_channel_display(), c.get_urgency_display(), c.get_state_display(),
               c.get_level_display(), c.unit.name if c.unit_id else "", c.created_at, c.deadline,
               yes if sla.is_overdue(c, now) else no, c.supervise_count, c.get_rating_display() if c.rating else "",
               c.get_resolved_level_display() if c.resolved_level else "")


@login_required
def case_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as an Excel file (the same filters and scope as the page; free text masked)."""
    _f, qs = _filtered(request)  # a bogus filter: the same Chinese 400 page as the list
    sort = request.GET.get("sort", "new")
    qs = ordered(qs.select_related("category", "area", "area__parent", "grid", "unit"), sort if sort in SORTS else "new")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(_("cases-%(stamp)s.xlsx") % {"stamp": stamp}, _("Cases"), [str(h) for h in EXPORT_HEADERS],
                         _export_rows(qs, timezone.now()), EXPORT_LIMIT)


@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = case_or_404(request, number)
    try:
        person = access.person_view(request.user, case, reveal=request.GET.get("reveal") == "1", purpose="web")
    except CaseError as exc:
        messages.error(request, exc.message)
        person = access.person_view(request.user, case)
    events = list(case.events.select_related("actor", "unit").order_by("seq"))
    attachments = list(case.attachments.order_by("pk"))
    problems = check_case_events(case, events, attachments)  # before any masking: the record as stored
    text = access.case_text(request.user, case)
    if text.masked:
        _show_text(case, events, text)
    field_labels = {s["name"]: s["label"] for s in case.category.field_specs()}
    for att in attachments:
        att.photo = files.is_photo(att)
    return render(request, "cases/detail.html", {
        "case": case, "due": sla.due_status(case, timezone.now()), "events": events, "person": person, "can_reveal": person["can_reveal"],
        "forms": access.allowed_actions(request.user, case), "attachments": attachments,
        "photos": [a for a in attachments if a.photo], "documents": [a for a in attachments if not a.photo],
        "timeline": timeline.build(events, attachments, field_labels, text), "chain_problems": problems,
        "duplicates": access.visible_cases(request.user).filter(merged_into=case.number).only("number", "title"),
        "field_labels": field_labels,
    })


def _show_text(case: Case, events: list, text: access.CaseText) -> None:
    """Put the free text as this viewer may read it on the (unsaved) objects the page shows."""
    for name in ("title", "description", "plan", "result", "rating_waiver", "fields"):
        setattr(case, name, text(getattr(case, name)))
    for e in events:
        e.note = text(e.note)


@login_required
def attachment(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """A case's file, through the access check and verified against the record; photos inline, the rest downloaded."""
    try:
        att, data = files.open_attachment(request.user, number, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except CaseError as exc:
        return render(request, "cases/file_refused.html", {"message": exc.message, "number": number}, status=409)
    inline = files.is_photo(att) and request.GET.get("download") != "1"
    response = HttpResponse(data, content_type=att.content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, att.name)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def case_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    case = case_or_404(request, number)
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
        messages.success(request, _("Done: %(action)s") % {"action": Action(action).label if action in Action.values else action})
    return redirect("cases:detail", number=case.number)


def track(request: HttpRequest) -> HttpResponse:
    """Public page: follow a case by its number and 查询码 (public categories need no code). No personal data."""
    number = request.GET.get("number", "").strip()
    code = request.GET.get("code", "").strip()
    ctx: dict = {"number": number, "code": code, "case": None, "events": []}
    if number:
        try:
            check_rate(request, "public-track", settings.PUBLIC_TRACK_RATE)
            case = access.track_case(number, code)
        except CaseError as exc:
            ctx["error"] = exc.message
        else:
            ctx.update(case=access.public_view(case), events=access.public_events(case))
    return render(request, "cases/track.html", ctx)


@login_required
def unlocated(request: HttpRequest) -> HttpResponse:
    """The county's 待定位 queue: reports no code, point or address placed; a dispatcher places each in a village."""
    if not can(request.user, Capability.PLACE_REPORTS):
        raise Http404(_("No such page"))
    if request.method == "POST":
        try:
            report_id = int(request.POST.get("report", "0") or 0)
            if request.POST.get("do") == "reject":
                do_reject_report(request.user, report_id, request.POST.get("note", ""))
                messages.success(request, _("The report was marked as not a case"))
            else:
                area = access.submit_villages(request.user).filter(code=request.POST.get("area", "")).first()
                if area is None:
                    raise CaseError(_("Choose a village or community"), field="area")
                case = do_place_report(request.user, report_id, area)
                messages.success(request, _("Placed in %(area)s as case %(number)s") % {"area": area.name, "number": case.number})
        except (CaseError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("cases:unlocated")
    reports = list(waiting_reports(request.user)[:100])
    villages = access.submit_villages(request.user).select_related("parent")
    return render(request, "cases/unlocated.html", {"reports": reports, "villages": villages, "total": waiting_reports(request.user).count()})
