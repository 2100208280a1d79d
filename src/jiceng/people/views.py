"""Web pages of the registry: people and households (lists, pages, exports), registration, tags, import, merge.

Thin: scope and masking are asked of ``people.access``, changes go through the
``do_*`` operations; views translate requests and show the errors.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.capabilities import Capability, can
from jiceng.areas.models import Area, Grid
from jiceng.errors import DomainError, NotFound, NotPermitted

from . import access, identity
from .actions import (
    PersonInput, do_add_member, do_create_household, do_end_tag, do_merge_people, do_register_person, do_remove_member, do_set_tag,
    members_of, tag_kind,
)
from .export import xlsx_response
from .filters import PersonFilter, filter_households, filter_people, page_of
from .importer import ImportRejected, do_import_roster, read_sheet, template_workbook
from .models import Household, PersonTag, Relationship, TagKind
from .tagkinds import RISK_TYPES


def person_or_404(request: HttpRequest, pk: int):
    try:
        return access.access_person(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def household_or_404(request: HttpRequest, pk: int) -> Household:
    try:
        return access.access_household(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _require_view(request: HttpRequest) -> None:
    try:
        access.check_reads_registry(request.user)
    except NotPermitted:
        raise PermissionDenied from None


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    try:
        f = PersonFilter.from_params(request.GET)
        qs = filter_people(access.visible_people(request.user).select_related("area", "grid"), f)
    except DomainError as exc:
        messages.error(request, exc.message)
        f, qs = PersonFilter(), filter_people(access.visible_people(request.user).select_related("area", "grid"), PersonFilter())
    show_names = access.shows_names(request.user)
    if request.GET.get("export") == "xlsx":
        rows = ([p.name if show_names else access.listed_person(request.user, p, False)["name"], access.listed_person(request.user, p, show_names)["id_number"],
                 p.get_sex_display(), p.birth_date, access.listed_person(request.user, p, show_names)["phone"], p.area.name if p.area_id else "",
                 p.grid.name if p.grid_id else ""] for p in qs.iterator(chunk_size=2000))
        return xlsx_response("people.xlsx", "人员名册", ["姓名", "身份证号码", "性别", "出生日期", "联系电话", "村（社区）", "网格"], rows)
    page, next_before = page_of(qs)
    for p in page:
        p.shown = access.listed_person(request.user, p, show_names)
    return render(request, "people/person_list.html", {
        "people": page, "next_before": next_before, "params": urlencode(f.as_query()), "f": f, "kinds": TagKind.objects.all(),
        "can_manage": can(request.user, Capability.MANAGE_PEOPLE),
    })


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    try:
        shown = access.person_view(request.user, person, reveal=request.GET.get("reveal") == "1", purpose="web")
    except DomainError as exc:
        messages.error(request, exc.message)
        shown = access.person_view(request.user, person)
    can_manage = access.can_manage_place(request.user, person.area, person.grid)
    membership = person.memberships.filter(left__isnull=True).select_related("household").first()
    return render(request, "people/person_detail.html", {
        "person": person, "shown": shown, "tags": person.tags.select_related("kind", "set_by", "ended_by").order_by("-valid_from", "-id"),
        "membership": membership, "past": person.memberships.filter(left__isnull=False).select_related("household"),
        "can_manage": can_manage, "kinds": TagKind.objects.all(), "risk_types": RISK_TYPES, "today": timezone.localdate(),
        "merged": person.merged_people.all(),
    })


@login_required
@require_POST
def person_tag(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    try:
        kind = tag_kind(request.POST.get("kind", ""))
        tag, created = do_set_tag(request.user, person, kind, valid_from=request.POST.get("valid_from"), risk_type=request.POST.get("risk_type", ""),
                                  source=request.POST.get("source", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已添加标签：%(tag)s") % {"tag": kind.name} if created else _("该人员在此期间已有此标签，未重复添加"))
    return redirect("people:person", pk=person.pk)


@login_required
@require_POST
def person_end_tag(request: HttpRequest, pk: int, tag_id: int) -> HttpResponse:
    person = person_or_404(request, pk)
    tag = PersonTag.objects.filter(pk=tag_id, person=person).first()
    if tag is None:
        raise Http404
    try:
        do_end_tag(request.user, tag, valid_to=request.POST.get("valid_to"), reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已终止标签：%(tag)s") % {"tag": tag.kind.name})
    return redirect("people:person", pk=person.pk)


def _place_choices(request: HttpRequest) -> dict:
    return {"villages": access.manageable_villages(request.user).order_by("code"), "grids": access.manageable_grids(request.user)}


def _place_from(post) -> tuple[Area | None, Grid | None]:
    grid_value = post.get("grid", "")
    grid = Grid.objects.filter(pk=grid_value).select_related("area").first() if grid_value.isdigit() else None
    area = Area.objects.filter(code=post.get("area", "")).first() if post.get("area") else None
    return area, grid


@login_required
def person_new(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.MANAGE_PEOPLE):
        raise PermissionDenied
    ctx = {"values": request.POST.dict(), **_place_choices(request)}
    if request.method == "POST":
        area, grid = _place_from(request.POST)
        data = PersonInput(id_number=request.POST.get("id_number", ""), name=request.POST.get("name", ""), phone=request.POST.get("phone", ""),
                           address=request.POST.get("address", ""), area=area, grid=grid)
        try:
            person, created = do_register_person(request.user, data)
        except DomainError as exc:
            ctx["error"], ctx["error_field"] = exc.message, exc.field
        else:
            messages.success(request, _("已登记") if created else _("该身份证号码已登记，已更新其信息"))
            return redirect("people:person", pk=person.pk)
    return render(request, "people/person_new.html", ctx)


@login_required
def roster_import(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.MANAGE_PEOPLE):
        raise PermissionDenied
    if request.GET.get("template") == "1":
        response = HttpResponse(template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
        return response
    ctx: dict = {"source": request.POST.get("source", "")}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DomainError(_("请选择要导入的文件"), field="file")
            rows = read_sheet(upload.read(), upload.name)
            result = do_import_roster(request.user, rows, source=request.POST.get("source", ""))
        except ImportRejected as exc:
            ctx["errors"] = exc.errors[:200]
            ctx["error_count"] = len(exc.errors)
        except DomainError as exc:
            ctx["error"] = exc.message
        else:
            ctx["result"] = result
    return render(request, "people/import.html", ctx)


@login_required
def merge(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.MANAGE_PEOPLE):
        raise PermissionDenied
    ctx: dict = {"values": request.POST.dict()}
    if request.method == "POST":
        try:
            survivor = access.access_person(request.user, request.POST.get("survivor", ""))
            duplicate = access.access_person(request.user, request.POST.get("duplicate", ""))
            do_merge_people(request.user, survivor, duplicate, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            ctx["error"] = exc.message
        else:
            messages.success(request, _("已将 #%(dup)s 合并到 #%(survivor)s，两人的历史均已保留") % {"dup": duplicate.pk, "survivor": survivor.pk})
            return redirect("people:person", pk=survivor.pk)
    return render(request, "people/merge.html", ctx)


@login_required
def tag_history(request: HttpRequest) -> HttpResponse:
    """Who held a tag on a day (the history query), with an export."""
    _require_view(request)
    kinds = TagKind.objects.all()
    code, day_text = request.GET.get("kind", ""), request.GET.get("on", "")
    ctx: dict = {"kinds": kinds, "kind": code, "on": day_text}
    kind = kinds.filter(code=code).first()
    if kind is not None:
        try:
            from .actions import clean_date

            day = clean_date(day_text or timezone.localdate(), "on", _("日期"))
        except DomainError as exc:
            messages.error(request, exc.message)
            return render(request, "people/tag_history.html", ctx)
        qs = access.visible_tags_held(request.user, kind, day).select_related("person", "person__area", "set_by").order_by("-id")
        show_names = access.shows_names(request.user)
        if request.GET.get("export") == "xlsx":
            rows = ([access.listed_person(request.user, t.person, show_names)["name"], access.listed_person(request.user, t.person, show_names)["id_number"],
                     t.person.area.name if t.person.area_id else "", t.risk_type, t.valid_from, t.valid_to, t.source]
                    for t in qs.iterator(chunk_size=2000))
            return xlsx_response(f"tag-{kind.code}-{day}.xlsx", kind.name, ["姓名", "身份证号码", "村（社区）", "风险类型", "起始日期", "终止日期", "来源"], rows)
        before = request.GET.get("before", "")
        if before.isdigit():
            qs = qs.filter(pk__lt=int(before))
        page, next_before = page_of(qs)
        for t in page:
            t.shown = access.listed_person(request.user, t.person, show_names)
        ctx.update({"selected": kind, "day": day, "tags": page, "next_before": next_before, "total": qs.count() if not before else None,
                    "params": urlencode({"kind": code, "on": day.isoformat()})})
    return render(request, "people/tag_history.html", ctx)


# --- households -----------------------------------------------------------------------------

@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    base = access.visible_households(request.user).select_related("area", "grid", "head")
    try:
        qs = filter_households(base, request.GET)
    except DomainError as exc:
        messages.error(request, exc.message)
        qs = base.order_by("-id")
    show_names = access.shows_names(request.user)
    if request.GET.get("export") == "xlsx":
        rows = ([h.number, access.listed_person(request.user, h.head, show_names)["name"] if h.head_id else "", h.area.name,
                 h.grid.name if h.grid_id else "", h.address if show_names else ""] for h in qs.iterator(chunk_size=2000))
        return xlsx_response("households.xlsx", "家庭户", ["户编号", "户主", "村（社区）", "网格", "住址"], rows)
    page, next_before = page_of(qs)
    for h in page:
        h.head_name = access.listed_person(request.user, h.head, show_names)["name"] if h.head_id else ""
    params = urlencode({k: request.GET[k] for k in ("q", "area") if request.GET.get(k)})
    return render(request, "people/household_list.html", {"households": page, "next_before": next_before, "params": params,
                                                          "q": request.GET.get("q", ""), "can_manage": can(request.user, Capability.MANAGE_PEOPLE),
                                                          **_place_choices(request)})


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_or_404(request, pk)
    show_names = access.shows_names(request.user)
    members = list(members_of(household))
    for m in members:
        m.shown = access.listed_person(request.user, m.person, show_names)
        m.tags_now = [t.kind.name for t in m.person.tags.filter(valid_to__isnull=True).select_related("kind")]
    extras = []
    for provider in HOUSEHOLD_PANELS:
        extras.append(provider(request, household))
    return render(request, "people/household_detail.html", {
        "household": household, "members": members, "relationships": Relationship.choices,
        "can_manage": access.can_manage_place(request.user, household.area, household.grid), "panels": [e for e in extras if e],
    })


# Other apps (programmes) add panels to the household page: provider(request, household) -> html or None.
HOUSEHOLD_PANELS: list = []


@login_required
@require_POST
def household_new(request: HttpRequest) -> HttpResponse:
    area, grid = _place_from(request.POST)
    try:
        household = do_create_household(request.user, number=request.POST.get("number", ""), area=area, grid=grid,
                                        address=request.POST.get("address", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("people:households")
    messages.success(request, _("已建立家庭户 %(n)s") % {"n": household.number})
    return redirect("people:household", pk=household.pk)


@login_required
@require_POST
def household_member(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_or_404(request, pk)
    try:
        number = identity.clean_id_number(request.POST.get("id_number", ""))
        from .actions import find_by_id_number

        person = find_by_id_number(number)
        if person is None or not access.visible_people(request.user).filter(pk=person.pk).exists():
            raise DomainError(_("没有找到该身份证号码的人员，请先登记"), field="id_number")
        if request.POST.get("remove") == "1":
            do_remove_member(request.user, household, person)
        else:
            do_add_member(request.user, household, person, request.POST.get("relationship", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("家庭成员已更新"))
    return redirect("people:household", pk=household.pk)
