"""Intake of a report wherever it comes from: place it, then file it — or keep it for a dispatcher (待定位).

A report names its place by a village or grid code, a point (WGS-84, or GCJ-02 /
BD-09 as Chinese phone maps report it) or an address in words. :func:`do_report`
asks the geography (``areas.geo.resolve_location``) in that order; a report it
can place is filed through ``do_submit``; one it cannot is never refused: it is
kept whole as an :class:`UnlocatedReport` in its county's queue, and a
dispatcher places it (:func:`do_place_report`) or marks it as not a case.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, can, require
from jiceng.accounts.models import User
from jiceng.areas.codes import Level
from jiceng.areas.geo import CRS_CHOICES, UnknownCRS, check_crs, resolve_location
from jiceng.areas.models import Area, AreaLevel, Grid

from . import access
from .actions import Idempotency, check_category, checked_idempotency, clean_report, do_submit, find_retry, stored_key
from .errors import InvalidInput, NotFound, NotPermitted
from .models import Case, Category, UnlocatedReport
from .states import Channel, Urgency


@dataclass(frozen=True)
class PlaceClaim:
    """What a report says about where it is; any part may be empty."""

    address_id: str = ""
    lat: float | None = None
    lon: float | None = None
    crs: str = "wgs84"
    address_string: str = ""


@dataclass(frozen=True)
class Intake:
    """A filed case (``case``, ``created``) or a report waiting to be placed (``pending``)."""

    case: Case | None = None
    created: bool = False
    pending: UnlocatedReport | None = None


def _check_claim(claim: PlaceClaim) -> PlaceClaim:
    try:
        crs = check_crs(claim.crs or "wgs84")  # also the spellings clients use, e.g. GCJ-02
    except UnknownCRS:
        raise InvalidInput(_("The coordinate system must be one of: %(choices)s") % {"choices": ", ".join(CRS_CHOICES)}, field="crs") from None
    if (claim.lat is None) != (claim.lon is None):
        raise InvalidInput(_("A point needs both latitude and longitude"), field="lat" if claim.lat is None else "long")
    for name, value, bound in (("lat", claim.lat, 90), ("long", claim.lon, 180)):
        if value is not None and not (-bound <= value <= bound):  # also refuses NaN
            raise InvalidInput(_("%(field)s is out of range") % {"field": {"lat": _("The latitude"), "long": _("The longitude")}[name]}, field=name)
    return PlaceClaim(claim.address_id, claim.lat, claim.lon, crs, claim.address_string)


def county_for(user: User | None, jurisdiction: str = "") -> str:
    """The 6-digit county a report belongs to: the jurisdiction named, the poster's scope, or the only county served."""
    if jurisdiction:
        code = jurisdiction.strip()[:6]
        if Area.objects.filter(code=code.ljust(12, "0"), level=AreaLevel.COUNTY).exists():
            return code
        raise InvalidInput(_("jurisdiction %(code)s is not served here") % {"code": jurisdiction}, field="jurisdiction_id")
    if user is not None and user.scope_area_id and user.scope_area.level_enum.value >= Level.COUNTY.value:
        return user.scope_area_id[:6]
    counties = list(Area.objects.filter(level=AreaLevel.COUNTY).values_list("code", flat=True)[:2])
    if len(counties) == 1:
        return counties[0][:6]
    raise InvalidInput(_("Name the county (jurisdiction) of a report that gives no village"), field="jurisdiction_id")


def do_report(
    *,
    user: User | None,
    category: Category,
    claim: PlaceClaim,
    title: str,
    description: str,
    grid: Grid | None = None,
    jurisdiction: str = "",
    channel: str = Channel.API,
    urgency: str = Urgency.NORMAL,
    fields: dict | None = None,
    anonymous: bool = False,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_id_number: str = "",
    source_ref: str = "",
    idempotency: Idempotency | None = None,
    now: datetime | None = None,
) -> Intake:
    """Take in a report: file it where the claim places it, or queue it for a dispatcher."""
    claim = _check_claim(claim)
    try:
        found = resolve_location(lat=claim.lat, lon=claim.lon, crs=claim.crs, address_string=claim.address_string,
                                 address_id=claim.address_id)
    except UnknownCRS:
        raise InvalidInput(_("Unknown coordinate system"), field="crs") from None
    common = dict(user=user, category=category, title=title, description=description, channel=channel, urgency=urgency,
                  fields=fields, anonymous=anonymous, reporter_name=reporter_name, reporter_phone=reporter_phone,
                  reporter_id_number=reporter_id_number, source_ref=source_ref, idempotency=idempotency, now=now)
    if found is not None:
        village_grid = grid if grid is not None else found.grid
        case, created = do_submit(area=found.village, grid=village_grid, address=claim.address_string, **common)
        return Intake(case=case, created=created)
    if claim.address_id and not (claim.lat is not None or claim.address_string):
        raise InvalidInput(_("No village, community or grid has the code %(code)s") % {"code": claim.address_id}, field="address_id")
    return Intake(pending=_queue(claim=claim, county=county_for(user, jurisdiction), **common))


def _queue(*, user, category, claim, county, title, description, channel, urgency, fields, anonymous, reporter_name, reporter_phone,
           reporter_id_number, source_ref, idempotency, now) -> UnlocatedReport:
    if user is not None:
        require(user, Capability.SUBMIT)
    check_category(category)
    r = clean_report(user, category, channel=channel, urgency=urgency, title=title, description=description, address=claim.address_string,
                     source_ref=source_ref, reporter_name=reporter_name, reporter_phone=reporter_phone,
                     reporter_id_number=reporter_id_number, anonymous=anonymous, fields=fields)
    fingerprint = hashlib.sha256(json.dumps([category.code, county, claim.lat, claim.lon, claim.crs, r.title, r.description, r.address,
                                             r.fields, r.reporter_name, r.reporter_phone], ensure_ascii=False, sort_keys=True,
                                            default=str).encode()).hexdigest()
    idempotency = checked_idempotency(idempotency)
    now = now or timezone.now()
    if (earlier := find_retry(UnlocatedReport, idempotency, fingerprint, user, now, by="posted_by", at="received_at")) is not None:
        return earlier
    key = stored_key(idempotency) if idempotency is not None and idempotency.key else None
    try:
        with transaction.atomic():
            return UnlocatedReport.objects.create(
                county_code=county, category=category, title=r.title, description=r.description, address=r.address, lat=claim.lat,
                lon=claim.lon, crs=claim.crs if claim.lat is not None else "", channel=r.channel, urgency=r.urgency, fields=r.fields,
                anonymous=r.anonymous, reporter_name=r.reporter_name, reporter_phone=r.reporter_phone,
                reporter_id_number=r.reporter_id_number, source_ref=r.source_ref, posted_by=user, received_at=now,
                token=secrets.token_hex(16), idempotency_key=key, content_fingerprint=fingerprint,
            )
    except IntegrityError:
        if key and (earlier := UnlocatedReport.objects.filter(idempotency_key=key).first()):
            return earlier
        raise


# --- the queue ---------------------------------------------------------------------

def waiting_reports(user: User) -> QuerySet[UnlocatedReport]:
    """The reports of ``user``'s county still waiting for a place; none for users who do not place reports."""
    if not can(user, Capability.PLACE_REPORTS):
        return UnlocatedReport.objects.none()
    qs = UnlocatedReport.objects.filter(status=UnlocatedReport.Status.WAITING).select_related("category")
    if access.is_unrestricted(user):
        return qs
    if not user.scope_area_id:
        return UnlocatedReport.objects.none()
    return qs.filter(county_code=user.scope_area_id[:6])


def _waiting(user: User, report_id: int) -> UnlocatedReport:
    report = waiting_reports(user).select_for_update().filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("No report %(id)s is waiting for a place in your county") % {"id": report_id}, field="report")
    return report


def do_place_report(user: User, report_id: int, area: Area, grid: Grid | None = None, *, now: datetime | None = None) -> Case:
    """Place a waiting report in a village (and grid): the case is filed as the original poster filed it."""
    require(user, Capability.PLACE_REPORTS)
    now = now or timezone.now()
    with transaction.atomic():
        report = _waiting(user, report_id)
        if area.level != AreaLevel.VILLAGE or not area.code.startswith(report.county_code):
            raise InvalidInput(_("Choose a village or community of the report's county"), field="area")
        if not access.can_submit_in(user, area):
            raise NotPermitted(_("You may place reports only in your own area; %(area)s is outside it.") % {"area": area.name}, field="area")
        case, _created = do_submit(
            user=report.posted_by, category=report.category, area=area, grid=grid, title=report.title, description=report.description,
            address=report.address, channel=report.channel, urgency=report.urgency, fields=report.fields, anonymous=report.anonymous,
            reporter_name=report.reporter_name, reporter_phone=report.reporter_phone, reporter_id_number=report.reporter_id_number,
            source_ref=report.source_ref, now=now,
        )
        UnlocatedReport.objects.filter(pk=report.pk).update(status=UnlocatedReport.Status.PLACED, case=case, decided_by=user, decided_at=now)
        Case.objects.filter(pk=case.pk, open311_token__isnull=True).update(open311_token=report.token)
    case.refresh_from_db()
    return case


def do_reject_report(user: User, report_id: int, note: str, *, now: datetime | None = None) -> UnlocatedReport:
    """Mark a waiting report as not a case (spam, a test, outside the county), with the reason."""
    require(user, Capability.PLACE_REPORTS)
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("Give the reason"), field="note")
    with transaction.atomic():
        report = _waiting(user, report_id)
        UnlocatedReport.objects.filter(pk=report.pk).update(status=UnlocatedReport.Status.REJECTED, decided_by=user,
                                                            decided_at=now or timezone.now(), note=note[:2000])
    report.refresh_from_db()
    return report


def case_for_token(token: str) -> tuple[Case | None, bool]:
    """Open311 tokens: ``(case, known)`` — the case once there is one; known False for a token never issued."""
    token = (token or "").strip()
    if not token:
        return None, False
    case = Case.objects.filter(open311_token=token).first()
    if case is not None:
        return case, True
    report = UnlocatedReport.objects.filter(token=token).select_related("case").first()
    return (report.case if report else None), report is not None
