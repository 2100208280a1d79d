"""Printed slips of a case: the 受理回执 (receipt on submission) and the 办结单 (completion slip).

Each carries a QR code to public tracking (with the 查询码 where the viewer may
see it) and the head of the case's hash chain, so a paper copy can be checked
against the record (``jiceng verify``). Who may print, and whether the code is
shown, is asked of ``access`` and ``submission``.
"""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from . import access
from .models import Case
from .states import State
from .submission import may_see_query_code
from .views import case_or_404

DONE_STATES = frozenset({State.RESOLVED, State.RATED, State.CLOSED, State.DISPUTED})


def _tracking(request: HttpRequest, case: Case, with_code: bool) -> tuple[str, str]:
    """The tracking address (with the 查询码 when shown) and its QR code as an SVG data URI."""
    query = {"number": case.number, **({"code": case.query_code} if with_code and case.query_code else {})}
    url = request.build_absolute_uri(f"{reverse('track')}?{urlencode(query)}")
    return url, segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def _slip(request: HttpRequest, number: str, template: str) -> HttpResponse:
    case = case_or_404(request, number)
    with_code = may_see_query_code(request.user, case)
    url, qr = _tracking(request, case, with_code)
    text = access.case_text(request.user, case)
    return render(request, template, {
        "case": case, "person": access.person_view(request.user, case), "title": text(case.title), "description": text(case.description),
        "result": text(case.result), "plan": text(case.plan), "query_code": case.query_code if with_code else "", "track_url": url, "qr": qr,
        "printed_at": timezone.now(), "done": case.state in DONE_STATES,
        "chain_head": case.last_hash, "chain_length": case.event_count,
    })


@login_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    """受理回执: what was received, when, its number and 查询码, and the time limits that now run (A5)."""
    return _slip(request, number, "cases/print_receipt.html")


@login_required
def completion_slip(request: HttpRequest, number: str) -> HttpResponse:
    """办结单: how the matter was resolved, by whom, the rating, and the chain head (A4)."""
    return _slip(request, number, "cases/print_completion.html")
