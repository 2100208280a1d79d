"""Web pages of the statistics: they translate requests into calls of the domain modules and decide nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from urllib.parse import urlencode

from jiceng.cases.errors import CaseError, NotPermitted

from . import dashboard as dash
from .access import Scope, scope_for, scope_of
from .periods import MONTH, WEEK, parse_period


def statistics_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in with the statistics capability; the viewer's scope (narrowed by ?area=) passed on; 403 otherwise."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            scope = scope_of(request.user, request.GET.get("area") or request.POST.get("area") or "")
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from None
        except CaseError as exc:
            return _bad(request, exc.message)
        try:
            return view(request, scope, *args, **kwargs)
        except CaseError as exc:
            return _bad(request, exc.message)

    return wrapper


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "stats/error.html", {"message": message}, status=400)


def _period(request: HttpRequest):
    kind = request.GET.get("kind") or MONTH
    return parse_period(kind if kind in (WEEK, MONTH) else "bogus", request.GET.get("period", ""), timezone.localdate())


@statistics_view
def index(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The leaders' dashboard."""
    now = timezone.now()
    period = _period(request)
    sort, order = request.GET.get("sort", "intake"), request.GET.get("order", "desc")
    township_rows = dash.sort_rows(dash.area_breakdown(scope, period, "township" if len(scope.area_prefix) < 9 else "village"),
                                   sort, order != "asc")
    units = dash.unit_breakdown(scope, period)
    unit_rows = dash.sort_rows(units, sort, order != "asc")
    overdue = dash.overdue_by_days(dash.overdue_cases(request.user, scope, now), now)
    charts = {
        "weekly": dash.trend(scope, "week", period.end - timezone.timedelta(days=1)),
        "monthly": dash.trend(scope, "month", period.end - timezone.timedelta(days=1)),
        "patterns": dash.patterns(scope, period),
        "map": dash.heat_map(scope, period),
        "categories": [{"name": r["name"], "value": r["intake"], "link": r["link"]} for r in dash.category_breakdown(scope, period)],
    }
    kpis = dash.kpis(scope, period, now)
    return render(request, "stats/dashboard.html", {
        "scope": scope, "period": period, "kind": period.kind, "kpis": kpis,
        "live": {k.key: k for k in kpis if k.key in ("overdue_now", "supervised_open")},
        "area_rows": township_rows, "area_level": "township" if len(scope.area_prefix) < 9 else "village",
        "unit_rows": unit_rows, "ranking": dash.ranking(scope, period, unit_rows=units), "overdue": overdue,
        "supervised": dash.supervised_cases(request.user, scope), "charts": charts, "sort": sort, "order": order,
        "townships": dash.townships_of(scope_for(request.user)) if not request.GET.get("area") else [],
        "period_link": dash.case_link(scope, period), "prev": period.previous(), "next": _following(period),
        "area": request.GET.get("area", ""), "sort_columns": SORT_COLUMNS, "show_all": request.GET.get("all") == "1",
        "base_query": urlencode({k: v for k, v in (("kind", period.kind), ("period", period.key),
                                                   ("area", request.GET.get("area", ""))) if v}),
    })


SORT_COLUMNS = [
    ("intake", _lazy("Received")), ("response_rate", _lazy("Response rate")), ("resolution_rate", _lazy("Resolution rate")),
    ("satisfaction_rate", _lazy("Satisfaction rate")), ("on_time_rate", _lazy("On-time resolution rate")),
    ("avg_handling_days", _lazy("Working days to resolve")), ("went_overdue", _lazy("Went overdue")),
    ("supervised", _lazy("Supervised (督办)")),
]


def _following(period):
    from .periods import month_of, week_of

    return week_of(period.end) if period.kind == WEEK else month_of(period.end)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@statistics_view
def ledger(request: HttpRequest, scope: Scope, kind: str) -> HttpResponse:
    """A ledger (台账) page, or its Excel file with ?format=xlsx."""
    from . import ledgers

    period = _period(request) if request.GET.get("period") else None
    f = ledgers.LedgerFilter(kind, period, (request.GET.get("state") or "").strip())
    export = request.GET.get("format") == "xlsx"
    book = ledgers.build(request.user, scope, f, limit=ledgers.EXPORT_LIMIT if export else ledgers.PAGE_ROWS)
    caption = f"{book.title} · {scope.label}" + (f" · {period.label}" if period else "")
    if export:
        name = f"{book.title}-{scope.area_prefix or 'all'}-{period.key if period else 'all'}.xlsx"
        return _attachment(ledgers.workbook(book, caption), XLSX, name)
    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(request, "stats/ledger.html", {
        "ledger": book, "caption": caption, "kinds": [(k, str(t)) for k, t in ledgers.TITLES.items()], "kind": kind,
        "period": period, "state": f.state, "export_query": query.urlencode(), "scope": scope,
        "area": request.GET.get("area", ""), "kind_period": request.GET.get("kind", "month"),
        "period_text": request.GET.get("period", ""),
    })


@statistics_view
def report(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The weekly or monthly report of the viewer's scope: on the page, or as Excel or PDF."""
    from . import reports
    from jiceng.cases import access as case_access

    if not request.GET.get("kind"):
        return render(request, "stats/report.html", {"scope": scope, "report": None, "area": ""})
    period = _period(request)
    r = reports.build_report(period.kind, scope, period, case_access.visible_cases(request.user))
    fmt = request.GET.get("format", "html")
    filename = f"{r.title}"
    if fmt == "xlsx":
        return _attachment(reports.render_xlsx(r), XLSX, filename + ".xlsx")
    if fmt == "pdf":
        return _attachment(reports.render_pdf(r), "application/pdf", filename + ".pdf")
    query = request.GET.copy()
    charts = {"weekly" if period.kind == WEEK else "monthly": r.trend,
              "categories": [{"name": c["name"], "value": c["intake"], "link": c["link"]} for c in r.by_category]}
    return render(request, "stats/report.html", {
        "scope": scope, "report": r, "query": query.urlencode(), "charts": charts, "area": request.GET.get("area", ""),
        "body": reports.render_html(r, standalone=False, web=True),
    })


@statistics_view
def themes(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Recurring themes of the month (每月一题) and the themes already adopted."""
    from . import themes as t

    period = _period(request)
    minimum = request.GET.get("min", "")
    minimum = int(minimum) if minimum.isdigit() and 2 <= int(minimum) <= 50 else t.MIN_CASES
    return render(request, "stats/themes.html", {
        "scope": scope, "period": period, "themes": t.recurring(scope, period, minimum), "minimum": minimum, "adopted": t.themes_for(request.user, scope)[:50],
        "may_adopt": t.may_adopt(request.user), "prev": period.previous(), "next": _following(period),
        "area": request.GET.get("area", ""), "today": timezone.localdate(),
    })


@statistics_view
def adopt_theme(request: HttpRequest, scope: Scope) -> HttpResponse:
    from . import themes as t

    if request.method != "POST":
        return redirect("stats:themes")
    p = request.POST
    try:
        theme = t.do_adopt_theme(
            request.user, scope, area_code=p.get("village", ""), category_code=p.get("category", ""), keyword=p.get("keyword", ""),
            title=p.get("title", ""), owner_username=p.get("owner", ""), due=p.get("due", ""), measures=p.get("measures", ""),
            case_numbers=p.get("cases", "").split(),
        )
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    except CaseError as exc:
        messages.error(request, exc.message)
        return redirect(f"{_reverse('stats:themes')}?{request.GET.urlencode()}")
    messages.success(request, _("Theme adopted: %(title)s") % {"title": theme.title})
    return redirect("stats:theme", pk=theme.pk)


def _reverse(name: str, **kwargs) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs or None)


@statistics_view
def theme_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    from jiceng.cases import access as case_access
    from jiceng.cases.errors import NotFound

    from . import themes as t

    try:
        theme = t.access_theme(request.user, scope, pk)
    except NotFound as exc:
        from django.http import Http404

        raise Http404(exc.message) from None
    follow = t.follow_up(theme)
    cases = case_access.visible_cases(request.user).filter(pk__in=theme.cases.values("pk")).select_related("area", "category")
    return render(request, "stats/theme.html", {"theme": theme, "follow": follow, "cases": cases,
                                                "follow_json": follow.months, "scope": scope})
