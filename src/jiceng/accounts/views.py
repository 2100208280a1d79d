"""The personal-data access log (个人信息访问记录) for auditors and administrators."""

from __future__ import annotations

from datetime import datetime, time
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date

from .capabilities import Capability, can
from .models import PersonalDataAccess

PAGE_SIZE = 50


def can_read_access_log(user) -> bool:
    """Auditors and administrators (the role → capability table decides), and Django superusers."""
    return user.is_authenticated and (can(user, Capability.READ_ACCESS_LOG) or user.is_superuser)


def _day(value: str) -> datetime | None:
    """A YYYY-MM-DD filter value as the start of that day in the site's time zone; None if absent or not a sane date."""
    try:
        day = parse_date(value.strip()) if value else None
    except ValueError:
        return None
    if day is None or not 1900 <= day.year <= 2200:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Who saw which case's personal data, when and why; filterable by user, case, purpose and dates."""
    if not can_read_access_log(request.user):
        raise PermissionDenied
    params = {k: request.GET.get(k, "").strip()[:64] for k in ("user", "case", "purpose", "since", "until")}
    rows = PersonalDataAccess.objects.select_related("user", "case", "person").order_by("-at", "-pk")
    if params["user"]:
        rows = rows.filter(user__username__icontains=params["user"]) | rows.filter(user__real_name__icontains=params["user"])
    if params["case"]:
        rows = rows.filter(case__number__icontains=params["case"])
    if params["purpose"]:
        rows = rows.filter(purpose__icontains=params["purpose"])
    if since := _day(params["since"]):
        rows = rows.filter(at__gte=since)
    if until := _day(params["until"]):
        rows = rows.filter(at__lt=until + timezone.timedelta(days=1))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in params.items() if v})
    return render(request, "accounts/access_log.html", {"page": page, "params": params, "query": query})
