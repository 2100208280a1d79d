"""Report data for dashboards and weekly/monthly reports, always within the caller's scope."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router

from jiceng.cases.access import visible_cases
from jiceng.cases import reports as case_reports
from jiceng.cases.filters import CaseFilter, filter_cases

from .schemas import ErrorOut, SummaryOut

router = Router(tags=["reports"])


@router.get("/summary", response={200: SummaryOut, 401: ErrorOut}, summary="Totals by state, category, level and rating")
def report_summary(request: HttpRequest, area: str = "", category: str = "", created_after: datetime | None = None,
                   created_before: datetime | None = None):
    f = CaseFilter(area=area, category=category, created_after=created_after, created_before=created_before)
    return case_reports.summary(filter_cases(visible_cases(request.user), f))
