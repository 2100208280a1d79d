"""The shell's own pages: the home page is the user's workbench (我的待办)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.accounts.capabilities import Capability, can
from jiceng.accounts.models import Role
from jiceng.cases import access, sla, workbench
from jiceng.cases.errors import CaseError
from jiceng.cases.filters import count_upto
from jiceng.cases.reports import resolution_levels
from jiceng.cases.states import State
from jiceng.programmes.access import due_soon_for, overdue_visits_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    all_queues = workbench.queues(user)  # the user's scope is worked out once for the counts and the open tab
    counts = workbench.queue_counts(user, all_queues)
    ctx: dict = {"counts": counts, "tab": None, "rows": [], "next_cursor": None, "bulk_action": None}
    if counts:
        # Without a chosen tab, open the first list that holds something.
        key = request.GET.get("tab") or next((q.key for q, n in counts if n), "")
        queue, qs = workbench.queue_of(user, key, all_queues)
        rows, next_cursor = workbench.page(qs.select_related("category", "area", "unit"), request.GET.get("after", ""))
        now = timezone.now()
        for c in rows:
            c.due = sla.due_status(c, now)
        count = dict(counts)[queue]
        ctx.update(tab=queue, rows=rows, next_cursor=next_cursor, total=count.n, total_more=count.more, total_text=f"{count.n:,}",
                   bulk_action=queue.action if queue.action in workbench.BULK_ACTIONS else None)
    ctx["visits_overdue"] = overdue_visits_for(user).count()
    ctx["visits_soon"] = due_soon_for(user).count()
    ctx["has_overview"] = user.role != Role.RESIDENT
    if ctx["has_overview"] and ctx["tab"] is None:
        ctx.update(_overview(user))  # nothing to work on: the overview is the page (auditors); otherwise it loads when opened
    return render(request, "web/home.html", ctx)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The overview tiles, loaded into the workbench when its fold is opened."""
    if request.user.role == Role.RESIDENT:
        return HttpResponse(status=404)
    return render(request, "web/_overview.html", _overview(request.user))


def _overview(user) -> dict:
    """The state tiles and where cases were resolved, for staff: every number links to the filtered list.

    Counts stop at filters.COUNT_CAP, so a county-wide share costs what a
    village's does; where the share passes the cap, the resolution tiers are
    the dashboard's (rollups), not recounted here.
    """
    cases = access.visible_cases(user)
    total = count_upto(cases)
    return {
        "states": [(s, s.label, count_upto(cases.filter(state=s))) for s in State],
        "total_visible": total,
        "overdue": count_upto(cases.filter(sla.overdue_q(timezone.now()))),
        "levels": None if total.more else resolution_levels(cases),
        "may_see_statistics": can(user, Capability.VIEW_STATISTICS),
    }


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """签收 or 销号 several cases from a workbench tab; each case is checked and recorded on its own."""
    tab = request.POST.get("tab", "")
    try:
        result = workbench.do_bulk_action(request.user, request.POST.get("action", ""), request.POST.getlist("numbers"))
    except CaseError as exc:
        messages.error(request, exc.message)
    else:
        if result.done:
            messages.success(request, _("Done for %(n)d cases: %(numbers)s") % {"n": len(result.done), "numbers": "、".join(result.done)})
        for number, message in result.failed:
            messages.error(request, _("%(number)s was not changed: %(message)s") % {"number": number, "message": message})
    return redirect(reverse("home") + ("?" + urlencode({"tab": tab}) if tab else ""))
