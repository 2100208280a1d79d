"""Web pages of the medical protection engine (staff only): one person's bills
with every step and a printable explanation, the roster check, the subsidy."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jiceng.areas.models import Area
from jiceng.cases.errors import CaseError, InvalidInput
from jiceng.people.masking import mask_id_number

from . import registry, services
from .calc import run_calc
from .categories import CATEGORIES, CATEGORY_NAMES
from .money import ZERO, fmt_pct
from .policy import LEVEL_LABELS, Policy
from .selection import HOW_TO_ADD, PolicyEntry
from .subsidy import subsidy_totals
from .subsidy_rows import subsidy_rows
from .tables import (
    INSURED_SHEET,
    VULNERABLE_SHEET,
    TableError,
    cell_problems,
    read_people,
    read_table,
    roster_check_tables,
    roster_workbook,
)

MAX_BILL_ROWS = 20
MAX_POLICY_BYTES = 256 * 1024
MAX_TABLE_BYTES = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged in and not a resident, else 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.is_staff(request.user):
            raise PermissionDenied(_("The medical protection tools are for staff only."))
        return view(request, *args, **kwargs)

    return wrapper


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    entries = sorted(services.policy_catalog(), key=lambda e: (e.policy.effective_from, e.policy.region), reverse=True)
    policies = [{"entry": e, "illustrative": bool(e.policy.illustrative_keys())} for e in entries]
    return render(request, "insurance/index.html", {"policies": policies, "how_to_add": HOW_TO_ADD})


# --------------------------------------------------------------------------
# One person's bills


def _groups() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for entry in services.policy_catalog():
        for code, rule in entry.policy.special.items():
            seen.setdefault(code, rule.name)
    return sorted(seen.items())


def _policy_from_request(request: HttpRequest) -> Policy | list[PolicyEntry]:
    upload = request.FILES.get("policy_file")
    if request.POST.get("policy") == "upload":
        if upload is None:
            raise InvalidInput(_("Choose a policy file to upload."), field="policy_file")
        if upload.size > MAX_POLICY_BYTES:
            raise InvalidInput(_("The policy file is too large."), field="policy_file")
        return services.parse_policy_text(upload.read(), field="policy_file")
    return services.policies_for_calc(policy_id=request.POST.get("policy") or services.AUTO)


def _bill_rows(post: Any, count: int) -> list[dict[str, str]]:
    keys = ("date", "hospital_level", "total", "in_policy")
    return [{k: post.get(f"{k}_{i}", "").strip() for k in keys} for i in range(count)]


@staff_required
def calc(request: HttpRequest) -> HttpResponse:
    post = request.POST
    try:
        count = min(max(int(post.get("rows", "3")), 1), MAX_BILL_ROWS)
    except ValueError:
        count = 3
    if post.get("action") == "add_row":
        count = min(count + 1, MAX_BILL_ROWS)
    rows = _bill_rows(post, count)
    ctx: dict[str, Any] = {
        "policies": services.policy_choices(), "categories": [(c, CATEGORY_NAMES[c]) for c in CATEGORIES],
        "groups": _groups(), "rows": rows, "row_count": count, "values": post, "levels": list(LEVEL_LABELS.items()),
        "auto": services.AUTO,
    }
    if request.method != "POST" or post.get("action") == "add_row":
        return render(request, "insurance/calc.html", ctx)
    try:
        ctx.update(_compute(request, rows))
    except CaseError as exc:
        ctx["error"] = exc
        return render(request, "insurance/calc.html", ctx, status=400)
    return render(request, "insurance/calc.html", ctx)


def _compute(request: HttpRequest, rows: list[dict[str, str]]) -> dict[str, Any]:
    post = request.POST
    policy = _policy_from_request(request)
    name = post.get("name", "").strip()
    id_number = post.get("id_number", "").strip()
    person = id_number or name or "person"
    base: dict[str, Any] = {"person": person, "category": post.get("category", "")}
    for key in ("area", "household_income", "name", "id_number"):
        if post.get(key, "").strip():
            base[key] = post[key].strip()
    if post.get("group"):
        base["groups"] = [post["group"]]
    # A bill's id is its row number in the form, so messages point at the row.
    filled = [i + 1 for i, row in enumerate(rows) if any(row.values())]
    raw = [{**base, "id": f"{n:02d}", **rows[n - 1]} for n in filled]
    if not raw:
        raise InvalidInput(_("Enter at least one bill."), field="bills")
    run = run_calc(policy, raw)
    results = [{"row": int(bill.id), "bill": bill, "result": res, "ratio": fmt_pct(res.reimbursed_ratio)}
               for bill, res in zip(run.bills, run.results, strict=True)]
    results.sort(key=lambda r: (r["bill"].date, r["row"]))
    totals = {k: sum((getattr(r["result"], k) for r in results), ZERO)
              for k in ("total", "basic", "critical", "assistance", "special_aid", "self_pay")}
    reimbursed = totals["total"] - totals["self_pay"]
    ratio = fmt_pct((reimbursed / totals["total"]).quantize(Decimal("0.0001"))) if totals["total"] else "0%"
    used = [services.used_policy(u) for u in run.used]
    out: dict[str, Any] = {
        "used": used, "illustrative": any(u["illustrative"] for u in used), "results": results,
        "bill_messages": run.messages(rows=filled, show_bills=False),
        "totals": totals, "reimbursed": reimbursed, "ratio": ratio, "person_name": name,
        "masked_id": mask_id_number(id_number) if id_number else "",
        "category_name": CATEGORY_NAMES.get(results[0]["bill"].category, "") if results else "",
    }
    if post.get("open_risk_case") and run.errors:
        # An incomplete year could understate the self-pay; judge it once every bill is right.
        out["risk"] = {"skipped": True}
    elif post.get("open_risk_case"):
        services.require_case_opener(request.user)
        if not id_number:
            raise InvalidInput(_("An ID number is needed to open a risk case."), field="id_number")
        try:
            findings = run.risks()
        except ValueError as exc:
            raise InvalidInput(str(exc), field="open_risk_case") from None
        outcomes = services.do_open_risk_cases(findings, triggered_by=request.user, via=_("the web form"))
        out["risk"] = {"checked": True, "outcomes": [o.as_dict(request.user) for o in outcomes]}
    return out


# --------------------------------------------------------------------------
# Roster check


def _table_from(request: HttpRequest, key: str, label: str) -> Any:
    upload = request.FILES.get(key)
    if upload is None:
        raise InvalidInput(_("Choose a file."), field=key)
    if upload.size > MAX_TABLE_BYTES:
        raise InvalidInput(_("The file is too large."), field=key)
    try:
        return read_table(upload.read(), upload.name, label)
    except TableError as exc:
        raise InvalidInput(str(exc), field=key) from None


def _optional_table(request: HttpRequest, key: str, label: str) -> Any:
    return _table_from(request, key, label) if request.FILES.get(key) is not None else None


def _uses_registry(request: HttpRequest) -> bool:
    """The form's checkbox (ticked by default): read the registry's people and tags too."""
    return request.POST.get("use_registry") == "on"


@staff_required
def roster(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"values": request.POST, "use_registry": request.method != "POST" or _uses_registry(request)}
    if request.method != "POST":
        return render(request, "insurance/roster.html", ctx)
    user = request.user
    try:
        insured = _table_from(request, "roster", INSURED_SHEET)
        if ctx["use_registry"]:
            day = registry.check_day(request.POST.get("on"))
            vulnerable = _optional_table(request, "vulnerable", VULNERABLE_SHEET)
            report = registry.roster_report(user, day, insured, vulnerable)
        else:
            vulnerable = _table_from(request, "vulnerable", VULNERABLE_SHEET)
            report = roster_check_tables(insured, vulnerable)
    except TableError as exc:
        ctx["error"] = InvalidInput(str(exc))
        return render(request, "insurance/roster.html", ctx, status=400)
    except CaseError as exc:
        ctx["error"] = exc
        return render(request, "insurance/roster.html", ctx, status=400)
    names = dict(Area.objects.filter(code__in=list(report.missing)).values_list("code", "name"))
    report.missing = registry.shown_missing(user, report.missing, lambda code: services.needs_roster_data(user, code))
    data = roster_workbook(report, names)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="roster-check.xlsx"'
    return response


# --------------------------------------------------------------------------
# Subsidy


@staff_required
def subsidy(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"policies": services.policy_choices(), "values": request.POST,
                           "use_registry": request.method != "POST" or _uses_registry(request)}
    if request.method != "POST":
        return render(request, "insurance/subsidy.html", ctx)
    table = None
    try:
        policy = services.resolve_policy(policy_id=request.POST.get("policy", ""))
        if ctx["use_registry"]:
            day = registry.check_day(request.POST.get("on"))
            table = _optional_table(request, "people", "参保人员")
            listed = read_people(table)[0] if table is not None else None
            numbered = registry.subsidy_people(request.user, day, listed)
        else:
            table = _table_from(request, "people", "参保人员")
            numbered, _unused = read_people(table)
    except TableError as exc:
        ctx["error"] = InvalidInput(str(exc), field="people")
        return render(request, "insurance/subsidy.html", ctx, status=400)
    except CaseError as exc:
        ctx["error"] = exc
        return render(request, "insurance/subsidy.html", ctx, status=400)
    good, problems = subsidy_rows(policy, numbered)
    totals = subsidy_totals(policy, [(r["village_code"], r["category"]) for r in good])
    names = dict(Area.objects.filter(code__in=list(totals)).values_list("code", "name"))
    ctx.update({
        "policy": policy, "problems": cell_problems(table, problems) if table is not None else [],
        "areas": [{"code": code, "name": names.get(code, ""), **t,
                   "by_category": [(CATEGORY_NAMES[c], v) for c, v in t["by_category"].items()]} for code, t in totals.items()],
        "people": len(good), "amount": sum((t["amount"] for t in totals.values()), ZERO),
        "from_registry": sum(1 for r in good if r.get("source") == registry.REGISTRY),
        "shares": [(CATEGORY_NAMES[c], fmt_pct(s)) for c, s in policy.subsidy.shares.items()],
    })
    return render(request, "insurance/subsidy.html", ctx)
