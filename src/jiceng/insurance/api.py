"""REST endpoints of the medical protection engine (django-ninja router).

Mounted by the API app with ``api.add_router("/v1/insurance/", router)``,
which also authenticates. Every endpoint is for staff (``NotPermitted`` →
403); bad input raises ``InvalidInput`` with the field. Amounts travel as
strings with two decimals, ratios with four.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from jiceng.areas.models import Area
from jiceng.cases.errors import InvalidInput

from . import registry, services
from .calc import run_calc
from .categories import CATEGORY_NAMES
from .messages import field_label, problem_text, rows_text
from .money import ZERO
from .subsidy import subsidy_for, subsidy_totals
from .subsidy_rows import subsidy_rows
from .tables import INSURED_SHEET, VULNERABLE_SHEET, TableError, read_table, roster_check_tables

router = Router(tags=["insurance"])

MAX_TABLE_BYTES = 20 * 1024 * 1024
MAX_BILLS = 100_000


# --------------------------------------------------------------------------
# Schemas


class PolicyRef(Schema):
    policy_id: str | None = Field(None, description="Id of a policy (e.g. example-hunan-2026 or office-3); "
                                  "for /calc, leave it out (or \"auto\") to choose each bill's policy by its date and area")
    policy_toml: str | None = Field(None, description="A whole policy file (TOML); used instead of policy_id when given")


class BillIn(Schema):
    id: str
    person: str = Field(description="A stable reference of the insured person (ID number or insurance number)")
    category: str = Field(description="ordinary, tekun, dibao, fanpin or monitored (or the Chinese name)")
    date: str = Field(description="YYYY-MM-DD")
    hospital_level: str | int = Field(description="1, 2 or 3")
    total: str = Field(description="Total cost in yuan, e.g. \"57000.00\"")
    in_policy: str = Field(description="In-policy cost in yuan, not more than total")
    groups: list[str] = Field(default_factory=list, description="Special groups, e.g. [\"pneumoconiosis\"]")
    area: str | None = Field(None, description="12-digit village code (for the risk link)")
    household_income: str | None = Field(None, description="Household income of the year, yuan (for the risk link)")
    name: str | None = None
    id_number: str | None = None


class RiskOptions(Schema):
    threshold: str | None = Field(None, description="Yearly self-pay threshold in yuan; default: the policy's [risk]")
    income_share: str | None = Field(None, description="Share of the household income, e.g. \"0.5\"; default: the policy's [risk]")


class CalcIn(PolicyRef):
    bills: list[BillIn]
    open_risk_cases: bool = Field(False, description="Open a 因病返贫风险 case per person-year above the threshold")
    risk: RiskOptions | None = None


class StepOut(Schema):
    tier: str = Field(description="basic, critical, assistance, special or summary")
    kind: str
    text: str = Field(description="The step in Chinese, to explain to the person")
    amount: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict, description="The other structured fields of the step")


class BillOut(Schema):
    id: str
    basic: str
    critical: str
    assistance: str
    special_aid: str
    self_pay: str
    reimbursed_ratio: str
    steps: list[StepOut]


class BillErrorOut(Schema):
    index: int
    id: str | None
    reason: str = Field(description="All problems of the bill, each as 中文标签：原因")


class MessageOut(Schema):
    rows: list[int] = Field(description="Positions in the bills array, from 1")
    bills: list[str]
    field: str
    label: str = Field(description="The field's Chinese label")
    reason: str
    text: str = Field(description="The message as the web page and the command line show it")


class PolicyUsed(Schema):
    id: str
    name: str
    years: str
    region: str
    illustrative: bool


class RiskOut(Schema):
    year: int
    area: str | None
    self_pay: str
    crossed: list[str]
    opened: bool
    existing: bool
    case_number: str | None = Field(None, description="Given to the caller who opened the case, or who may see it")
    case_state: str | None = None
    case_visible: bool = Field(False, description="Whether the caller may open the case page")
    village: str = Field("", description="The village whose staff accept the case")
    unit: str = Field("", description="The unit the case is routed to in the village")
    problem: str
    message: str = Field(description="The outcome in one Chinese sentence")


class CalcOut(Schema):
    policy: str = Field(description="Names of the policies used, joined by ；")
    policies: list[PolicyUsed]
    results: list[BillOut]
    errors: list[BillErrorOut]
    messages: list[MessageOut] = Field(description="The problems, one per problem (a person's bad ID once, with every row)")
    risk: list[RiskOut]


class PersonIn(Schema):
    village_code: str = Field("", description="12 digits; taken from the registry when it holds the ID number")
    category: str = Field("", description="A code or Chinese name; taken from the registry's tags when it holds the ID number")
    id_number: str = ""
    name: str = ""


class SubsidyIn(PolicyRef):
    people: list[PersonIn] | None = Field(None, description="An outside list; omitted: every person of the caller's registry")
    use_registry: bool = Field(True, description="Read the registry's people and tags (特困, 低保, 监测对象) in the caller's scope")
    on: str = Field("", description="The day the tags are read on (YYYY-MM-DD); empty: today")


class CategoryTotal(Schema):
    category: str
    name: str
    people: int
    amount: str


class AreaTotal(Schema):
    village_code: str
    name: str
    people: int
    subsidised: int
    amount: str
    by_category: list[CategoryTotal]


class RowProblemOut(Schema):
    row: int
    field: str
    label: str = Field(description="The field's Chinese label")
    reason: str
    text: str


class SubsidyOut(Schema):
    policy: str
    premium: str
    per_person: dict[str, str] = Field(description="Subsidy of one person by category")
    areas: list[AreaTotal]
    people: int
    from_registry: int = Field(0, description="People counted by the registry's tags")
    amount: str
    errors: list[RowProblemOut]


class MissingPerson(Schema):
    row: int = Field(description="Row in the uploaded list; 0 for a person of the registry")
    source: str = Field("list", description="registry or list")
    name: str
    id_number: str
    category: str
    category_name: str


class VillageOut(Schema):
    village_code: str
    name: str
    masked: bool
    missing: list[MissingPerson]


class CellProblemOut(Schema):
    sheet: str
    row: int
    column: str
    reason: str
    text: str = Field(description="The message as the web page, the command line and the workbook show it")


class RosterOut(Schema):
    insured: int
    checked: int
    missing: int
    villages: list[VillageOut]
    problems: list[CellProblemOut]


# --------------------------------------------------------------------------
# Endpoints


@router.post("/calc", response=CalcOut, summary="Compute bills with every step")
def calc(request: HttpRequest, payload: CalcIn) -> dict[str, Any]:
    """Compute each bill (year accumulation per person); bad bills are listed in ``errors``."""
    services.require_staff(request.user)
    if len(payload.bills) > MAX_BILLS:
        raise InvalidInput(_("Too many bills in one request."), field="bills")
    policy = services.policies_for_calc(payload.policy_id, payload.policy_toml)
    raw = [b.model_dump(exclude_none=True) for b in payload.bills]
    run = run_calc(policy, raw)
    risk: list[dict[str, Any]] = []
    if payload.open_risk_cases:
        services.require_case_opener(request.user)
        options = payload.risk or RiskOptions()
        try:
            findings = run.risks(options.threshold, options.income_share)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="risk") from None
        outcomes = services.do_open_risk_cases(findings, triggered_by=request.user, via="API")
        risk = [o.as_dict(request.user) for o in outcomes]
    used = [services.used_policy(u) for u in run.used]
    return {
        "policy": "；".join(u["name"] for u in used),
        "policies": used,
        "results": [_bill_out(e) for e in run.entries if "error" not in e],
        "errors": [{"index": e["index"], "id": e["id"], "reason": e["reason"]} for e in run.errors],
        "messages": [m.as_dict() for m in run.messages()],
        "risk": risk,
    }


@router.post("/subsidy", response=SubsidyOut, summary="Enrollment subsidy per person and totals by area")
def subsidy(request: HttpRequest, payload: SubsidyIn) -> dict[str, Any]:
    """Subsidy for each listed person by category; bad rows (numbered from 1) are listed in ``errors``."""
    services.require_staff(request.user)
    policy = services.resolve_policy(payload.policy_id, payload.policy_toml)
    listed = list(enumerate((p.model_dump() for p in payload.people), start=1)) if payload.people is not None else None
    if payload.use_registry:
        numbered = registry.subsidy_people(request.user, registry.check_day(payload.on), listed)
    elif listed is None:
        raise InvalidInput(_("List the people, or read them from the registry."), field="people")
    else:
        numbered = listed
    good, problems = subsidy_rows(policy, numbered)
    totals = subsidy_totals(policy, [(r["village_code"], r["category"]) for r in good])
    names = dict(Area.objects.filter(code__in=list(totals)).values_list("code", "name"))
    return {
        "policy": policy.name,
        "premium": f"{policy.subsidy.premium:.2f}",
        "per_person": {c: f"{subsidy_for(policy, c):.2f}" for c in CATEGORY_NAMES},
        "areas": [{
            "village_code": code, "name": names.get(code, ""), "people": t["people"], "subsidised": t["subsidised"],
            "amount": f"{t['amount']:.2f}",
            "by_category": [{"category": c, "name": CATEGORY_NAMES[c], "people": v["people"], "amount": f"{v['amount']:.2f}"}
                            for c, v in t["by_category"].items()],
        } for code, t in totals.items()],
        "people": len(good),
        "from_registry": sum(1 for r in good if r.get("source") == registry.REGISTRY),
        "amount": f"{sum((t['amount'] for t in totals.values()), ZERO):.2f}",
        "errors": [{"row": p.row, "field": p.field, "label": field_label(p.field), "reason": p.reason,
                    "text": f"{rows_text([p.row])} {problem_text(p.field, p.reason)}"} for p in problems],
    }


@router.post("/roster-check", response=RosterOut, summary="Vulnerable people not on the insured roster, by village")
def roster_check(request: HttpRequest, roster: UploadedFile = File(...), vulnerable: UploadedFile | None = File(None),
                 use_registry: bool = Form(True), on: str = Form("")) -> dict[str, Any]:
    """Upload the insured roster and, optionally, a list of vulnerable people (.xlsx or .csv).

    With ``use_registry`` (default) the registry's 特困, 低保 and 监测对象 of the caller's scope on ``on`` (default today)
    are checked too, and a listed person the registry holds is checked by the registry's tags. Names and ID numbers are
    masked where the caller has no need; a registry person shown in full is logged as a reveal.
    """
    services.require_staff(request.user)
    tables: dict[str, Any] = {}
    for field, upload, label in (("roster", roster, INSURED_SHEET), ("vulnerable", vulnerable, VULNERABLE_SHEET)):
        if upload is None:
            continue
        if upload.size > MAX_TABLE_BYTES:
            raise InvalidInput(_("The file is too large."), field=field)
        try:
            tables[field] = read_table(upload.read(), upload.name or "", label)
        except TableError as exc:
            raise InvalidInput(str(exc), field=field) from None
    if not use_registry and "vulnerable" not in tables:
        raise InvalidInput(_("Choose a file."), field="vulnerable")
    try:
        if use_registry:
            report = registry.roster_report(request.user, registry.check_day(on), tables["roster"], tables.get("vulnerable"))
        else:
            report = roster_check_tables(tables["roster"], tables["vulnerable"])
    except TableError as exc:
        raise InvalidInput(str(exc), field="vulnerable" if VULNERABLE_SHEET in str(exc) else "roster") from None
    names = dict(Area.objects.filter(code__in=list(report.missing)).values_list("code", "name"))
    shown = registry.shown_missing(request.user, report.missing, lambda code: services.needs_roster_data(request.user, code))
    villages = [{
        "village_code": code, "name": names.get(code, ""), "masked": any(p["masked"] for p in people),
        "missing": [{
            "row": p["row"], "source": p.get("source", registry.LIST), "name": p["name"], "id_number": p["id_number"],
            "category": p["category"], "category_name": CATEGORY_NAMES[p["category"]],
        } for p in people],
    } for code, people in shown.items()]
    return {
        "insured": report.insured_count, "checked": report.checked_count, "missing": report.missing_count,
        "villages": villages, "problems": [p.as_dict() for p in report.problems],
    }


# --------------------------------------------------------------------------


def _bill_out(entry: dict[str, Any]) -> dict[str, Any]:
    steps = []
    for step in entry["steps"]:
        detail = {k: v for k, v in step.items() if k not in ("tier", "kind", "text", "amount")}
        steps.append({"tier": step["tier"], "kind": step["kind"], "text": step["text"],
                      "amount": step.get("amount"), "detail": detail})
    return {**{k: entry[k] for k in ("id", "basic", "critical", "assistance", "self_pay", "reimbursed_ratio")},
            "special_aid": entry.get("special_aid", "0.00"), "steps": steps}
