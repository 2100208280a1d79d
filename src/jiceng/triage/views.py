"""Thin views: the triage panel of a case, linking repeats, routing suggestions, frequent callers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.capabilities import Capability, can
from jiceng.cases import access
from jiceng.cases.errors import CaseError
from jiceng.cases.views import case_or_404
from jiceng.cases.states import Action, State

from . import callers, router
from .config import section
from .alerts import alert_series
from .repeats import find_repeat_candidates, may_link, repeats_of



@login_required
def case_panel(request: HttpRequest, number: str) -> HttpResponse:
    """htmx partial on the case page: alert count, links, repeat candidates, routing suggestion."""
    case = case_or_404(request, number)
    can_link = may_link(request.user, case)
    allowed = set(access.allowed_action_names(request.user, case))  # the state machine says what is open now
    ctx: dict = {"case": case, "series": alert_series(case), "links": repeats_of(case, request.user), "can_link": can_link,
                 "can_merge": Action.MERGE in allowed}
    if can_link and case.state not in (State.MERGED, State.REFUSED):
        linked = {link.original_id for link in ctx["links"]["originals"]}
        ctx["candidates"] = [c for c in find_repeat_candidates(case, user=request.user) if c.case.pk not in linked]
    if allowed & {Action.ACCEPT, Action.DISPATCH}:  # still to be routed
        ctx["assessment"] = router.assess(f"{case.title}\n{case.description}", case.area_id)
    return render(request, "triage/_case_panel.html", ctx)


@login_required
@require_POST
def link_repeat(request: HttpRequest, number: str) -> HttpResponse:
    from .repeats import do_link_repeat

    case = case_or_404(request, number)
    score = request.POST.get("score", "")
    try:
        do_link_repeat(case, request.POST.get("original", ""), request.user, note=request.POST.get("note", ""),
                       score=float(score) if score.replace(".", "", 1).isdigit() else None)
    except CaseError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as a repeat of case %(number)s") % {"number": request.POST.get("original", "")})
    return redirect("cases:detail", number=case.number)


@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    """htmx partial on the new-case form: the top three categories and units for the text typed so far."""
    text = f"{request.GET.get('title', '')}\n{request.GET.get('description', '')}".strip()
    area = request.GET.get("area", "")
    return render(request, "triage/_suggestions.html", {"assessment": router.assess(text, area) if len(text) >= 4 else None, "on_form": True})


@login_required
def frequent_callers(request: HttpRequest) -> HttpResponse:
    """Staff page: reporters with more than N cases in the period, within the viewer's scope."""
    if not can(request.user, Capability.FREQUENT_CALLERS):
        raise PermissionDenied
    cfg = section("callers")

    def number(name: str, default: int, low: int, high: int) -> int:
        raw = request.GET.get(name, "")
        return max(low, min(high, int(raw))) if raw.isdigit() else default

    min_cases = number("min", int(cfg.get("min_cases", 5)), 1, 1000)
    days = number("days", int(cfg.get("period_days", 90)), 1, 3660)
    reveal = request.GET.get("reveal") == "1"
    rows = callers.frequent_callers(request.user, min_cases=min_cases, period_days=days, reveal=reveal)
    return render(request, "triage/callers.html", {
        "callers": rows, "min_cases": min_cases, "days": days, "revealed": reveal, "can_reveal": any(c.can_reveal for c in rows),
    })
