"""REST endpoints of the programmes: my overdue visits, logging a visit, a finding → case, pairings, unpaired
households, plans, monitoring. Reads through ``programmes.access``; writes through the ``do_*`` operations."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from jiceng.accounts.models import User
from jiceng.areas.models import Area
from jiceng.cases.models import Category
from jiceng.errors import InvalidInput, NotFound
from jiceng.people import access as people_access
from jiceng.people.filters import page_of
from jiceng.people.models import TagKind
from jiceng.schemas import ErrorOut

from . import access
from .filters import by_area
from .models import MonitoredHousehold, MonitoringStatus, Pairing, PairingScheme, PlanTarget
from .monitoring import do_record_income
from .pairing import checklist, do_mark_duty, do_pair, unpaired_monitored
from .visits import PlanInput, VisitInput, do_create_plan, do_log_visit, do_open_case_from_visit

router = Router(tags=["programmes"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class TargetOut(Schema):
    id: int
    plan: int
    plan_name: str
    kind: str
    household: int | None
    grid: str | None
    area: str
    assignee: str
    next_due: dt.date | None
    days_overdue: int
    last_visit_at: dt.datetime | None


def _target(t: PlanTarget, today: dt.date) -> dict:
    return {"id": t.pk, "plan": t.plan_id, "plan_name": t.plan.name, "kind": t.plan.kind, "household": t.household_id,
            "grid": t.grid.code if t.grid_id else None, "area": t.area_id, "assignee": t.assignee.username, "next_due": t.next_due,
            "days_overdue": max((today - t.next_due).days, 0) if t.next_due else 0, "last_visit_at": t.last_visit_at}


@router.get("/overdue", response={200: list[TargetOut], **ERRORS}, summary="My overdue visits and patrols (the workbench list)")
def my_overdue(request: HttpRequest):
    today = timezone.localdate()
    return [_target(t, today) for t in access.overdue_visits_for(request.user, today).select_related("assignee")[:500]]


class TargetsQuery(Schema):
    overdue: bool = False
    area: str = ""
    before: int | None = None
    limit: int = Field(100, ge=1, le=500)


@router.get("/targets", response={200: list[TargetOut], **ERRORS}, summary="Visit and patrol targets visible to the caller")
def list_targets(request: HttpRequest, query: Query[TargetsQuery]):
    today = timezone.localdate()
    qs = by_area(access.visible_targets(request.user), {"area": query.area}).select_related("plan", "grid", "assignee")
    if query.overdue:
        qs = qs.filter(access.overdue_q(today), plan__active=True)
    if query.before:
        qs = qs.filter(pk__lt=query.before)
    return [_target(t, today) for t in qs.order_by("-id")[: query.limit]]


class VisitIn(Schema):
    at: dt.datetime | None = None
    findings: str = ""
    needs_action: bool = False
    lat: float | None = None
    lon: float | None = None


class VisitOut(Schema):
    id: int
    target: int | None
    household: int | None
    at: dt.datetime
    findings: str
    needs_action: bool
    lat: float | None
    lon: float | None
    case: str | None
    next_due: dt.date | None


@router.post("/targets/{int:pk}/visits", response={201: VisitOut, **ERRORS}, summary="Log a visit or patrol of a target")
def log_visit(request: HttpRequest, pk: int, payload: VisitIn):
    target = access.access_target(request.user, pk)
    visit = do_log_visit(request.user, target, VisitInput(payload.at, payload.findings, payload.needs_action, payload.lat, payload.lon))
    target.refresh_from_db()
    return Status(201, {"id": visit.pk, "target": target.pk, "household": visit.household_id, "at": visit.at, "findings": visit.findings,
                        "needs_action": visit.needs_action, "lat": visit.lat, "lon": visit.lon, "case": None, "next_due": target.next_due})


class CaseFromVisitIn(Schema):
    category: str
    title: str = ""
    fields: dict = {}


class CaseRef(Schema):
    number: str


@router.post("/visits/{int:pk}/case", response={201: CaseRef, **ERRORS}, summary="Open a case from a visit's finding in one step")
def visit_case(request: HttpRequest, pk: int, payload: CaseFromVisitIn):
    visit = access.access_visit(request.user, pk)
    category = Category.objects.filter(code=payload.category, active=True, children__isnull=True).first()
    if category is None:
        raise InvalidInput(_("“%(code)s”不是可用的工单类别") % {"code": payload.category[:32]}, field="category")
    case = do_open_case_from_visit(request.user, visit, category=category, title=payload.title, fields=payload.fields)
    return Status(201, {"number": case.number})


class PairingIn(Schema):
    scheme: str = Field("party-member", description="Scheme code")
    helper: str = Field(description="Helper's username")
    household: int
    started: dt.date | None = None


class DutyOut(Schema):
    duty: str
    done_on: str | None


class PairingOut(Schema):
    id: int
    scheme: str
    helper: str
    household: int
    started: dt.date
    ended: dt.date | None
    duties: list[DutyOut]


def _pairing(p: Pairing) -> dict:
    return {"id": p.pk, "scheme": p.scheme.code, "helper": p.helper.username, "household": p.household_id, "started": p.started,
            "ended": p.ended, "duties": checklist(p)}


@router.post("/pairings", response={201: PairingOut, **ERRORS}, summary="Pair a helper with a household (the scheme's limit applies)")
def create_pairing(request: HttpRequest, payload: PairingIn):
    scheme = PairingScheme.objects.filter(code=payload.scheme).first()
    if scheme is None:
        raise InvalidInput(_("结对方案“%(code)s”不存在") % {"code": payload.scheme[:32]}, field="scheme")
    helper = User.objects.filter(username=payload.helper).first()
    if helper is None:
        raise InvalidInput(_("没有这个帮扶人账号"), field="helper")
    household = people_access.access_household(request.user, payload.household)
    pairing = do_pair(request.user, scheme=scheme, helper=helper, household=household, started=payload.started)
    return Status(201, _pairing(pairing))


class ImportedOut(Schema):
    created: int


@router.post("/pairings/import", response={200: ImportedOut, **ERRORS}, summary="Import pairings (.xlsx or .csv): all rows or none",
             description="Columns 户编号, 帮扶人账号, 结对方案, 结对日期. Errors answer 400 with `errors` per row; nothing is written.")
def import_pairings(request: HttpRequest, file: File[UploadedFile]):
    from jiceng.people.importer import read_sheet

    from .importer import COLUMNS, REQUIRED, do_import_pairings

    return {"created": do_import_pairings(request.user, read_sheet(file.read(), file.name or "", COLUMNS, REQUIRED))}


@router.get("/pairings", response={200: list[PairingOut], **ERRORS}, summary="Current pairings visible to the caller")
def list_pairings(request: HttpRequest, before: int | None = None, limit: int = Query(100, ge=1, le=500)):
    qs = access.visible_pairings(request.user).filter(ended__isnull=True).select_related("scheme", "helper")
    if before:
        qs = qs.filter(pk__lt=before)
    return [_pairing(p) for p in qs.order_by("-id")[:limit]]


class DutyIn(Schema):
    duty: str
    on: dt.date | None = None


@router.post("/pairings/{int:pk}/duties", response={200: PairingOut, **ERRORS}, summary="Record a duty of the checklist as done")
def mark_duty(request: HttpRequest, pk: int, payload: DutyIn):
    pairing = access.visible_pairings(request.user).filter(pk=pk).first()
    if pairing is None:
        raise NotFound(_("该结对不存在或不在您的查看范围内"), field="pairing")
    return _pairing(do_mark_duty(request.user, pairing, payload.duty, on=payload.on))


class UnpairedOut(Schema):
    monitored: int
    household: int
    number: str
    area: str
    risk_types: list[str]
    identified_on: dt.date


@router.get("/unpaired", response={200: list[UnpairedOut], **ERRORS}, summary="Monitored households without a helper")
def unpaired(request: HttpRequest, scheme: str = "", area: str = "", limit: int = Query(200, ge=1, le=1000)):
    chosen = PairingScheme.objects.filter(code=scheme).first() if scheme else None
    qs = by_area(unpaired_monitored(request.user, chosen), {"area": area}).order_by("area_id", "id")
    return [{"monitored": m.pk, "household": m.household_id, "number": m.household.number, "area": m.area_id, "risk_types": m.risk_types,
             "identified_on": m.identified_on} for m in qs[:limit]]


class PlanIn(Schema):
    name: str
    kind: str = Field(description="patrol | visit | campaign")
    area: str = Field(description="Area code of the plan's scope")
    starts: dt.date
    interval_days: int | None = None
    due: dt.date | None = None
    tag_kind: str = Field("", description="Campaigns: tag kind code of the group")
    description: str = ""


class PlanOut(Schema):
    id: int
    name: str
    kind: str
    targets: int


@router.post("/plans", response={201: PlanOut, **ERRORS}, summary="Make a visit or patrol plan (targets are generated)")
def create_plan(request: HttpRequest, payload: PlanIn):
    area = Area.objects.filter(code=payload.area).first()
    if area is None:
        raise InvalidInput(_("区划代码“%(code)s”不存在") % {"code": payload.area[:12]}, field="area")
    tag = TagKind.objects.filter(code=payload.tag_kind).first() if payload.tag_kind else None
    plan = do_create_plan(request.user, PlanInput(payload.name, payload.kind, area, payload.starts, payload.interval_days, payload.due, tag,
                                                  payload.description))
    return Status(201, {"id": plan.pk, "name": plan.name, "kind": plan.kind, "targets": plan.targets.count()})


class MonitoredOut(Schema):
    id: int
    household: int
    area: str
    risk_types: list[str]
    status: str
    identified_on: dt.date
    exited_on: dt.date | None


@router.get("/monitored", response={200: list[MonitoredOut], **ERRORS}, summary="Monitored households visible to the caller")
def list_monitored(request: HttpRequest, status: str = MonitoringStatus.MONITORED, area: str = "", before: int | None = None,
                   limit: int = Query(100, ge=1, le=500)):
    qs = by_area(access.visible_monitored(request.user), {"area": area})
    if status in MonitoringStatus.values:
        qs = qs.filter(status=status)
    if before:
        qs = qs.filter(pk__lt=before)
    return [{"id": m.pk, "household": m.household_id, "area": m.area_id, "risk_types": m.risk_types, "status": m.status,
             "identified_on": m.identified_on, "exited_on": m.exited_on} for m in qs.order_by("-id")[:limit]]


class IncomeIn(Schema):
    year: int
    total: str = Field(description="Household net income of the year, yuan")
    members: int | None = None


class IncomeOut(Schema):
    year: int
    per_capita: str
    case: str | None


@router.post("/monitored/{int:pk}/incomes", response={200: IncomeOut, **ERRORS}, summary="Record a year's income (under the line opens a case)")
def record_income(request: HttpRequest, pk: int, payload: IncomeIn):
    m = access.visible_monitored(request.user).filter(pk=pk).first()
    if m is None:
        raise NotFound(_("该监测户不存在或不在您的查看范围内"), field="monitored")
    record, case = do_record_income(request.user, m, year=payload.year, total=payload.total, members=payload.members)
    return {"year": record.year, "per_capita": str(record.per_capita), "case": case.number if case else None}


# --- targets and points ---------------------------------------------------------------------

class AreaProgressOut(Schema):
    share: int
    area: str
    area_name: str
    planned: str
    done: str
    funds_used: str
    rate: str
    expected: str
    lagging: bool


class ProgressOut(Schema):
    target: int
    name: str
    planned: str
    done: str
    rate: str
    areas: list[AreaProgressOut]


@router.get("/targets/{int:pk}/progress", response={200: ProgressOut, **ERRORS}, summary="A target's completion per area, lagging areas flagged")
def target_progress(request: HttpRequest, pk: int, on: dt.date | None = None):
    from .targets import overall, progress, visible_targets_list

    target = visible_targets_list(request.user).filter(pk=pk).first()
    if target is None:
        raise NotFound(_("该目标不存在或不在您的查看范围内"), field="target")
    rows = progress(target, on)
    planned, done, rate = overall(rows)
    return {"target": target.pk, "name": target.name, "planned": str(planned), "done": str(done), "rate": str(rate),
            "areas": [{"share": r.share_id, "area": r.area_code, "area_name": r.area_name, "planned": str(r.planned), "done": str(r.done),
                       "funds_used": str(r.funds_used), "rate": str(r.rate), "expected": str(r.expected), "lagging": r.lagging} for r in rows]}


class ReportIn(Schema):
    quantity: str
    reported_on: dt.date | None = None
    funds_used: str | None = None
    note: str = ""


@router.post("/shares/{int:pk}/reports", response={201: dict, **ERRORS}, summary="Report progress of an area's share of a target")
def report_progress(request: HttpRequest, pk: int, payload: ReportIn):
    from .models import TargetShare
    from .targets import do_report_progress

    share = TargetShare.objects.select_related("target", "area").filter(pk=pk).first()
    if share is None:
        raise NotFound(_("没有这个目标分解"), field="share")
    report = do_report_progress(request.user, share, quantity=payload.quantity, reported_on=payload.reported_on, funds_used=payload.funds_used,
                                note=payload.note)
    return Status(201, {"id": report.pk, "quantity": str(report.quantity)})


class LedgerLine(Schema):
    id: int
    delta: int
    balance_after: int
    reason: str
    at: dt.datetime


class LedgerOut(Schema):
    person: int
    balance: int
    entries: list[LedgerLine]


def _ledger(person_id: int) -> dict:
    from .models import PointsAccount

    account = PointsAccount.objects.filter(person_id=person_id).first()
    entries = list(account.entries.order_by("-id")[:200]) if account else []
    return {"person": person_id, "balance": account.balance if account else 0,
            "entries": [{"id": e.pk, "delta": e.delta, "balance_after": e.balance_after, "reason": e.reason, "at": e.at} for e in entries]}


@router.get("/points/{int:person_id}", response={200: LedgerOut, **ERRORS}, summary="A person's points balance and ledger")
def points_ledger(request: HttpRequest, person_id: int):
    person = people_access.access_person(request.user, person_id)
    return _ledger(person.pk)


class RedeemIn(Schema):
    person: int


@router.post("/rewards/{int:pk}/redeem", response={200: LedgerOut, **ERRORS}, summary="Redeem a reward of the points store for a person")
def redeem(request: HttpRequest, pk: int, payload: RedeemIn):
    from .points import do_redeem

    reward = access.access_reward(request.user, pk)
    person = people_access.access_person(request.user, payload.person)
    do_redeem(request.user, person, reward)
    return _ledger(person.pk)
