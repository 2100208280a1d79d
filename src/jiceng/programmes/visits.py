"""Visit and patrol plans, the visits logged against them, overdue lists, and a finding → case in one step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng import filestore
from jiceng.accounts.models import Role, User
from jiceng.areas.models import Area, AreaLevel, Grid, subtree_q
from jiceng.cases.actions import Upload, do_submit
from jiceng.cases.models import Case, Category
from jiceng.cases.states import Channel
from jiceng.errors import InvalidInput
from jiceng.people.actions import clean_date, clean_text, held_on_q
from jiceng.people.models import Household, Membership, PersonTag, TagKind

from . import access
from .models import CaseLink, Pairing, PlanKind, PlanTarget, Visit, VisitPhoto, VisitPlan

PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
MAX_PHOTOS = 6


@dataclass(frozen=True)
class PlanInput:
    name: str
    kind: str
    area: Area
    starts: Any
    interval_days: int | None = None
    due: Any = None
    tag_kind: TagKind | None = None
    description: str = ""
    households: tuple[Household, ...] = ()  # for a visit plan: which households (default: the area's monitored ones)
    assign_helpers: bool = True  # visit plans: a household's helper visits it when it has one


def _grid_worker(grid_id: int | None, cache: dict) -> int | None:
    if grid_id is None:
        return None
    if grid_id not in cache:
        cache[grid_id] = Grid.workers.through.objects.filter(grid_id=grid_id).order_by("user_id").values_list("user_id", flat=True).first()
    return cache[grid_id]


def _clean_plan(data: PlanInput) -> tuple[str, dt.date, dt.date | None, int | None]:
    name = clean_text(data.name, "name", _("计划名称"), 100, required=True)
    if data.kind not in PlanKind.values:
        raise InvalidInput(_("计划类型必须是：巡查、走访或专项行动"), field="kind")
    starts = clean_date(data.starts, "starts", _("开始日期"))
    due = clean_date(data.due, "due", _("完成期限"), required=data.kind == PlanKind.CAMPAIGN)
    interval = data.interval_days
    if data.kind == PlanKind.CAMPAIGN:
        interval = None
        if data.tag_kind is None:
            raise InvalidInput(_("专项行动需要选择对象标签（如独居老人、留守儿童）"), field="tag_kind")
        if due < starts:
            raise InvalidInput(_("完成期限不能早于开始日期"), field="due")
    elif not interval or not 1 <= int(interval) <= 366:
        raise InvalidInput(_("周期（天）必须是 1 到 366 之间的整数（每周巡查填 7，每月走访填 30）"), field="interval_days")
    return name, starts, due, int(interval) if interval else None


@transaction.atomic
def do_create_plan(user: User | None, data: PlanInput) -> VisitPlan:
    """Create a plan and its targets in bulk.

    - patrol: every grid of the area, assigned to the grid's worker, every ``interval_days``;
    - visit: the given households (default: the area's monitored households), assigned to
      their helper if paired, else their grid's worker, every ``interval_days``;
    - campaign: every household with a member holding ``tag_kind`` on the start day,
      once by ``due``, assigned to their grid's worker.
    Targets without anyone to assign are refused with the list of places lacking a worker.
    """
    access.check_manage_in(user, data.area)
    name, starts, due, interval = _clean_plan(data)
    plan = VisitPlan.objects.create(name=name, kind=data.kind, area=data.area, interval_days=interval, starts=starts, due=due,
                                    tag_kind=data.tag_kind if data.kind == PlanKind.CAMPAIGN else None,
                                    description=clean_text(data.description, "description", _("工作要求"), 2000), created_by=user)
    first_due = due if data.kind == PlanKind.CAMPAIGN else starts + dt.timedelta(days=interval)
    workers: dict = {}
    targets, missing = [], []
    if data.kind == PlanKind.PATROL:
        for grid in Grid.objects.filter(subtree_q("area_id", data.area.prefix)).order_by("code"):
            who = _grid_worker(grid.pk, workers)
            if who is None:
                missing.append(grid.name)
                continue
            targets.append(PlanTarget(plan=plan, grid=grid, area_id=grid.area_id, assignee_id=who, next_due=first_due))
    else:
        households = _plan_households(data, starts)
        helpers = _helpers_of(households) if data.kind == PlanKind.VISIT and data.assign_helpers else {}
        for household in households:
            who = helpers.get(household.pk)
            who = who or _grid_worker(household.grid_id, workers)
            if who is None:
                missing.append(household.number)
                continue
            targets.append(PlanTarget(plan=plan, household=household, area_id=household.area_id, grid_id=household.grid_id,
                                      assignee_id=who, next_due=first_due))
    if missing:
        raise InvalidInput(_("以下对象没有可分配的网格员或帮扶人：%(list)s") % {"list": "、".join(missing[:10]) + ("……" if len(missing) > 10 else "")},
                           field="area")
    if not targets:
        raise InvalidInput(_("该范围内没有符合条件的走访或巡查对象"), field="area")
    PlanTarget.objects.bulk_create(targets, batch_size=2000)
    return plan


def _plan_households(data: PlanInput, starts: dt.date) -> QuerySet[Household]:
    in_area = Household.objects.filter(subtree_q("area_id", data.area.prefix))
    if data.kind == PlanKind.CAMPAIGN:
        holders = PersonTag.objects.filter(held_on_q(starts), kind=data.tag_kind).values("person_id")
        members = Membership.objects.filter(person_id__in=holders, left__isnull=True).values("household_id")
        return in_area.filter(pk__in=members).order_by("id")
    if data.households:
        chosen = [h.pk for h in data.households]
        outside = [h.number for h in data.households if not h.area_id.startswith(data.area.prefix)]
        if outside:
            raise InvalidInput(_("以下家庭户不在计划范围内：%(list)s") % {"list": "、".join(outside[:10])}, field="households")
        return in_area.filter(pk__in=chosen).order_by("id")
    return in_area.filter(monitoring__status="monitored").order_by("id")


def _helpers_of(households: QuerySet[Household]) -> dict[int, int]:
    """Household id → the helper of its earliest standing pairing, for all households in one query."""
    helpers: dict[int, int] = {}
    pairings = Pairing.objects.filter(household__in=households.values("pk"), ended__isnull=True).order_by("started", "id")
    for household_id, helper_id in pairings.values_list("household_id", "helper_id"):
        helpers.setdefault(household_id, helper_id)
    return helpers


# --- logging a visit --------------------------------------------------------------------------

@dataclass(frozen=True)
class VisitInput:
    at: Any = None
    findings: str = ""
    needs_action: bool = False
    lat: float | None = None
    lon: float | None = None
    photos: tuple[Upload, ...] = ()


def _check_point(lat: Any, lon: Any) -> tuple[float | None, float | None]:
    if lat in (None, "") and lon in (None, ""):
        return None, None
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise InvalidInput(_("位置需要同时有有效的纬度和经度"), field="lat") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also refuses NaN
        raise InvalidInput(_("纬度或经度超出范围"), field="lat")
    return lat, lon


def _check_photos(photos: tuple[Upload, ...]) -> list[dict]:
    from jiceng.uploadcheck import content_matches

    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(_("每次走访最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS}, field="photos")
    out = []
    for up in photos:
        shown = up.name[:40]
        if up.content_type not in PHOTO_TYPES or not content_matches(up.content, up.content_type):
            raise InvalidInput(_("“%(name)s”不是 JPEG、PNG 或 WebP 照片") % {"name": shown}, field="photos")
        if len(up.content) > settings.ATTACHMENT_MAX_BYTES:
            raise InvalidInput(_("照片“%(name)s”太大") % {"name": shown}, field="photos")
        out.append({"name": up.name[:200], "content_type": up.content_type, "size": len(up.content),
                     "sha256": filestore.sha256_of(up.content), "content": up.content})
    return out


def _store_photo(visit: Visit, meta: dict) -> None:
    photo = VisitPhoto.objects.create(visit=visit, name=meta["name"], content_type=meta["content_type"], size=meta["size"], sha256=meta["sha256"])
    filestore.store_after_commit(photo.storage_name, meta["content"])


def _clean_visit(data: VisitInput, now: dt.datetime) -> tuple[dt.datetime, str, float | None, float | None, list[dict]]:
    at = data.at or now
    if isinstance(at, str):
        from django.utils.dateparse import parse_datetime

        parsed = parse_datetime(at.strip()) if at.strip() else None
        if parsed is None:
            raise InvalidInput(_("走访时间“%(value)s”格式不正确") % {"value": at[:20]}, field="at")
        at = parsed
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + dt.timedelta(minutes=10):
        raise InvalidInput(_("走访时间不能晚于现在"), field="at")
    if at < now - dt.timedelta(days=60):
        raise InvalidInput(_("只能补登 60 天内的走访"), field="at")
    findings = clean_text(data.findings, "findings", _("发现情况"), 2000)
    if data.needs_action and not findings:
        raise InvalidInput(_("需要处置时请填写发现情况"), field="findings")
    lat, lon = _check_point(data.lat, data.lon)
    return at, findings, lat, lon, _check_photos(data.photos)


@transaction.atomic
def do_log_visit(user: User | None, target: PlanTarget, data: VisitInput, *, now: dt.datetime | None = None) -> Visit:
    """Log a visit or patrol of ``target``; the target's next due date moves on from the visit (a one-off target is done)."""
    now = now or timezone.now()
    target = PlanTarget.objects.select_for_update(of=("self",)).select_related("plan", "area").get(pk=target.pk)
    access.check_may_visit(user, target)
    at, findings, lat, lon, photos = _clean_visit(data, now)
    visit = Visit.objects.create(target=target, household_id=target.household_id, grid_id=target.grid_id, area_id=target.area_id,
                                 by=user, at=at, findings=findings, needs_action=data.needs_action, lat=lat, lon=lon)
    for meta in photos:
        _store_photo(visit, meta)
    if target.last_visit_at is None or at > target.last_visit_at:
        target.last_visit_at = at
    # Due again one interval after the latest visit (a backdated visit does not pull the date back).
    latest = timezone.localdate(target.last_visit_at)
    target.next_due = latest + dt.timedelta(days=target.plan.interval_days) if target.plan.interval_days else None
    target.visits = F("visits") + 1
    target.save(update_fields=["next_due", "last_visit_at", "visits"])
    return visit


def finding_category_choices() -> QuerySet[Category]:
    return Category.objects.filter(children__isnull=True, active=True).select_related("parent").order_by("code")


@transaction.atomic
def do_open_case_from_visit(user: User | None, visit: Visit, *, category: Category, title: str = "", urgency: str = "normal",
                            fields: dict | None = None) -> Case:
    """Open a case from a visit's finding in one step: place, household, head and findings filled in; the visit links to it."""
    visit = Visit.objects.select_for_update(of=("self",)).select_related("household__head", "area", "grid", "by").get(pk=visit.pk)
    if visit.case_id:
        raise InvalidInput(_("这次走访的发现已转为工单 %(number)s") % {"number": visit.case.number}, field="visit")
    if not visit.findings:
        raise InvalidInput(_("这次走访没有记录发现情况，无法转为工单"), field="findings")
    head = visit.household.head if visit.household_id else None
    from jiceng.people import identity

    title = clean_text(title, "title", _("标题"), 60) or (_("走访发现：%(text)s") % {"text": visit.findings[:40]})[:60]
    case, _created = do_submit(
        user=user, category=category, area=visit.area, grid=visit.grid, title=title,
        description=_("%(at)s %(who)s走访%(where)s发现：%(findings)s") % {
            "at": timezone.localtime(visit.at).strftime("%Y-%m-%d %H:%M"), "who": visit.by.display_name,
            "where": visit.household.address if visit.household_id and visit.household.address else visit.area.name,
            "findings": visit.findings},
        channel=Channel.PATROL, urgency=urgency,
        address=visit.household.address if visit.household_id else "",
        # A household visit is about its head; a patrol finding is reported by the worker who patrolled.
        reporter_name=head.name if head else visit.by.display_name[:32],
        reporter_phone=identity.phone_of(head) if head else (visit.by.phone or ""),
        reporter_id_number=identity.id_number_of(head) if head else "",
        source_ref=f"visit:{visit.pk}", fields=fields,
    )
    visit.case = case
    visit.save(update_fields=["case"])
    CaseLink.objects.get_or_create(case=case, defaults={"household_id": visit.household_id, "person": head, "source": "visit"})
    return case
