"""Web pages of targets (督查督办) and volunteer points (志愿服务积分): managers' desktop pages with Excel exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, can
from jiceng.areas.models import Area
from jiceng.errors import DomainError
from jiceng.people import access as people_access
from jiceng.people.export import xlsx_response

from . import access
from .models import Activity, PointsAccount, Reward, SignUp, Target
from .points import STAR_CRITERIA, do_check_in, do_create_activity, do_rate_household, do_redeem, do_sign_up
from .targets import do_create_target, do_report_progress, overall, progress, visible_targets_list


def _manager(request: HttpRequest) -> None:
    if not can(request.user, Capability.MANAGE_PROGRAMMES):
        raise PermissionDenied


def _scoped_areas(request: HttpRequest):
    q = access.area_q(request.user, "code")
    qs = Area.objects.all() if q is None else Area.objects.filter(q)
    return qs.exclude(level__in=["province", "prefecture"]).order_by("code")


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    _manager(request)
    ctx: dict = {"values": request.POST.dict(), "areas": _scoped_areas(request)}
    if request.method == "POST":
        try:
            area = _scoped_areas(request).filter(code=request.POST.get("area", "")).first()
            if area is None:
                raise DomainError(_("请选择范围"), field="area")
            children = {a.code: a for a in Area.objects.filter(parent=area)}
            shares = {children[k[6:]]: v for k, v in request.POST.items() if k.startswith("share.") and k[6:] in children and v.strip()}
            target = do_create_target(request.user, name=request.POST.get("name", ""), unit=request.POST.get("unit", ""), area=area,
                                      starts=request.POST.get("starts"), ends=request.POST.get("ends"), shares=shares)
        except DomainError as exc:
            ctx["error"] = exc.message
        else:
            messages.success(request, _("目标已下达"))
            return redirect("programmes:target", pk=target.pk)
    chosen = _scoped_areas(request).filter(code=request.POST.get("area") or request.GET.get("area", "")).first()
    ctx["chosen"] = chosen
    ctx["children"] = Area.objects.filter(parent=chosen).order_by("code") if chosen else []
    rows = []
    for t in visible_targets_list(request.user).select_related("area").order_by("-starts", "-id")[:50]:
        planned, done, rate = overall(progress(t))
        rows.append({"t": t, "planned": planned, "done": done, "rate": rate})
    ctx["rows"] = rows
    return render(request, "programmes/targets.html", ctx)


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    target = visible_targets_list(request.user).select_related("area", "created_by").filter(pk=pk).first()
    if target is None:
        raise Http404
    if request.method == "POST":
        share = target.shares.filter(pk=request.POST.get("share") or 0).first() if (request.POST.get("share") or "").isdigit() else None
        try:
            if share is None:
                raise DomainError(_("请选择区域"), field="share")
            do_report_progress(request.user, share, quantity=request.POST.get("quantity"), reported_on=request.POST.get("reported_on") or None,
                               funds_used=request.POST.get("funds_used") or None, note=request.POST.get("note", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("进度已报告"))
        return redirect("programmes:target", pk=target.pk)
    rows = progress(target)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"target-{target.pk}.xlsx", target.name[:31], ["区域", "计划数", "完成数", "完成率", "应完成进度", "资金使用（元）", "滞后"],
                             ([r.area_name, float(r.planned), float(r.done), float(r.rate), float(r.expected), float(r.funds_used),
                               "滞后" if r.lagging else ""] for r in rows))
    planned, done, rate = overall(rows)
    mine = [r for r in rows if access.can_manage_in(request.user, Area(code=r.area_code, level="village"))]
    return render(request, "programmes/target_detail.html", {"target": target, "rows": rows, "planned": planned, "done": done, "rate": rate,
                                                             "reportable": mine, "today": timezone.localdate()})


@login_required
def points(request: HttpRequest) -> HttpResponse:
    """Activities, the points store and the ledger of a village (managers)."""
    _manager(request)
    villages = _scoped_areas(request).filter(level="village")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "activity":
                area = villages.filter(code=request.POST.get("area", "")).first()
                if area is None:
                    raise DomainError(_("请选择村（社区）"), field="area")
                do_create_activity(request.user, name=request.POST.get("name", ""), area=area, on=request.POST.get("on"),
                                   points=request.POST.get("points"), capacity=request.POST.get("capacity") or None)
            elif action == "signup":
                activity = access.access_activity(request.user, request.POST.get("activity", ""))
                person = people_access.access_person(request.user, request.POST.get("person", ""))
                do_sign_up(request.user, activity, person)
            elif action == "checkin":
                signup = access.access_signup(request.user, request.POST.get("signup", ""))
                do_check_in(request.user, signup)
            elif action == "redeem":
                reward = access.access_reward(request.user, request.POST.get("reward", ""))
                person = people_access.access_person(request.user, request.POST.get("person", ""))
                do_redeem(request.user, person, reward)
            elif action == "star":
                household = people_access.access_household(request.user, request.POST.get("household", ""))
                do_rate_household(request.user, household, year=request.POST.get("year"), criteria=request.POST.getlist("criteria"))
            else:
                raise DomainError(_("未知的操作"))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存"))
        return redirect("programmes:points")
    q = access.area_q(request.user)
    activities = (Activity.objects.all() if q is None else Activity.objects.filter(q)).order_by("-on", "-id")[:30]
    rewards = (Reward.objects.all() if q is None else Reward.objects.filter(q)).filter(active=True).order_by("cost")[:50]
    accounts = (PointsAccount.objects.all() if q is None else PointsAccount.objects.filter(q)).select_related("person", "area").order_by("-balance")
    show = people_access.shows_names(request.user)
    if request.GET.get("export") == "xlsx":
        return xlsx_response("points.xlsx", "积分账户", ["姓名", "村（社区）", "积分余额"],
                             ([people_access.listed_person(request.user, a.person, show)["name"], a.area.name, a.balance]
                              for a in accounts.iterator(chunk_size=2000)))
    top = list(accounts[:50])
    for a in top:
        a.name = people_access.listed_person(request.user, a.person, show)["name"]
    return render(request, "programmes/points.html", {"activities": activities, "rewards": rewards, "accounts": top, "villages": villages,
                                                      "criteria": STAR_CRITERIA, "this_year": timezone.localdate().year,
                                                      "pending": SignUp.objects.filter(activity__in=[a.pk for a in activities], checked_in_at__isnull=True)
                                                      .select_related("activity", "person")[:50]})


@login_required
def cadres(request: HttpRequest) -> HttpResponse:
    """Cadres' task lists and quarterly scores in the manager's area; assigning tasks and scoring a quarter."""
    from jiceng.accounts.models import User

    from .cadres import cadre_summary, do_assign_tasks, do_evaluate

    _manager(request)
    year = int(request.GET.get("year") or timezone.localdate().year) if (request.GET.get("year") or "").isdigit() or not request.GET.get("year") \
        else timezone.localdate().year
    if request.method == "POST":
        try:
            assignee = User.objects.filter(username=request.POST.get("assignee", "").strip(), is_active=True).first()
            area = _scoped_areas(request).filter(code=request.POST.get("area", "")).first()
            if assignee is None:
                raise DomainError(_("没有这个账号"), field="assignee")
            if area is None:
                raise DomainError(_("请选择驻点"), field="area")
            if request.POST.get("action") == "tasks":
                made = do_assign_tasks(request.user, assignee, area=area, year=request.POST.get("year"),
                                       titles=request.POST.get("titles", "").splitlines())
                messages.success(request, _("已下达 %(n)s 项任务") % {"n": len(made)})
            else:
                do_evaluate(request.user, assignee, area=area, year=request.POST.get("year"), quarter=request.POST.get("quarter"),
                            score=request.POST.get("score"), comment=request.POST.get("comment", ""))
                messages.success(request, _("考评已记录"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(f"{request.path}?year={year}")
    rows = cadre_summary(request.user, year)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"cadres-{year}.xlsx", f"{year}年任务与考评", ["驻点", "姓名", "任务数", "已完成", "一季度", "二季度", "三季度", "四季度"],
                             ([r["area__name"], r["name"], r["total"], r["done"], *[float(s) if s is not None else "" for s in r["scores"]]]
                              for r in rows))
    return render(request, "programmes/cadres.html", {"rows": rows, "year": year, "areas": _scoped_areas(request).filter(level="village")})


@login_required
def my_task_done(request: HttpRequest, pk: int) -> HttpResponse:
    from .cadres import do_complete_task

    if request.method != "POST":
        raise Http404
    try:
        task = access.access_cadre_task(request.user, pk)
    except DomainError as exc:
        raise Http404(exc.message) from None
    try:
        do_complete_task(request.user, task, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("任务已完成"))
    return redirect("programmes:mine")
