"""The shell's own pages: the home page (the user's workbench frame)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiceng.cases import access, sla
from jiceng.cases.reports import resolution_levels
from jiceng.cases.states import WITH_UNIT_STATES, State


@login_required
def home(request: HttpRequest) -> HttpResponse:
    cases = access.visible_cases(request.user)
    by_state = dict(cases.values_list("state").annotate(n=Count("id")).order_by())
    now = timezone.now()
    overdue = cases.filter(sla.overdue_q(now)).count()
    unit_ids = list(request.user.units.values_list("id", flat=True))
    queue = list(cases.filter(unit_id__in=unit_ids, state__in=WITH_UNIT_STATES).select_related("category", "unit")[:20])
    for c in queue:
        c.due = sla.due_status(c, now)
    states = [(s, s.label, by_state.get(s.value, 0)) for s in State]
    return render(request, "web/home.html", {"states": states, "total": sum(by_state.values()), "overdue": overdue, "queue": queue,
                                             "levels": resolution_levels(cases)})
