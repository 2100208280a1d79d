"""Triage endpoints: sensor alerts with debounce, repeat candidates and links, routing suggestions, frequent callers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from typing import Literal

from jiceng.areas.models import Area
from jiceng.cases.errors import InvalidInput, NotPermitted
from .alerts import do_register_device, do_submit_alert
from .callers import frequent_callers, is_staff
from .repeats import do_link_repeat, find_repeat_candidates, may_link
from .router import suggest

from jiceng.cases import serialize
from jiceng.cases.api import get_visible_case
from jiceng.cases.schemas import CaseSummary
from jiceng.schemas import ErrorOut

router = Router(tags=["triage"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class AlertIn(Schema):
    category: str = Field(description="Category code, e.g. yujing-campus")
    area: str = Field("", description="Optional: the 12-digit village code; must match the device's registration")
    device_id: str = Field(max_length=64)
    alert_type: str = Field(max_length=64, description="e.g. 攀爬, 打架, 摔倒")
    title: str = Field(max_length=120)
    description: str = Field(max_length=4000)
    at: datetime = Field(description="When the device raised the alert (ISO 8601 with offset)")
    fields: dict[str, Any] = Field(default_factory=dict)


class AlertOut(Schema):
    case: CaseSummary | None = Field(description="The case of the series; null while the device is not registered")
    created: bool = Field(description="True when this alert opened a new case")
    count: int = Field(description="Alerts of this device and type folded into the case so far")
    queued: bool = Field(False, description="True when the device is not registered: the alert waits for staff (status 202)")


@router.post("/alerts", response={200: AlertOut, 201: AlertOut, 202: AlertOut, **ERRORS},
             summary="Take in a sensor / AI-camera alert (debounced)",
             description="Integration keys only, for registered devices in the key's area. The same device and alert type within "
                         "the category's debounce window join one case and raise its count. Alerts of unregistered devices are "
                         "kept for staff (202).")
def submit_alert(request: HttpRequest, payload: AlertIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    outcome = do_submit_alert(
        user=request.user, category=payload.category, area_code=payload.area, device_id=payload.device_id,
        alert_type=payload.alert_type, title=payload.title, description=payload.description, at=payload.at,
        fields=payload.fields, idempotency_key=idempotency_key,
    )
    case = serialize.case_summary(outcome.case) if outcome.case is not None else None
    body = {"case": case, "created": outcome.created, "count": outcome.count, "queued": outcome.queued}
    return Status(202 if outcome.queued else 201 if outcome.created else 200, body)


class DeviceIn(Schema):
    device_id: str = Field(max_length=64)
    name: str = Field(max_length=64)
    area: str = Field(description="12-digit village / community code where the device stands")
    kind: Literal["camera", "sensor"] = "camera"
    site: str = Field("", max_length=120)


class DeviceOut(Schema):
    device_id: str
    name: str
    area: str
    kind: str
    site: str
    taken_in: int = Field(0, description="Queued alerts of this device taken in on registration")


@router.post("/devices", response={201: DeviceOut, **ERRORS}, summary="Register a camera or sensor (administrators)")
def register_device(request: HttpRequest, payload: DeviceIn):
    area = Area.objects.filter(code=payload.area).first()
    if area is None:
        raise InvalidInput(_("No village or community has the code %(code)s") % {"code": payload.area}, field="area")
    device, taken = do_register_device(request.user, device_id=payload.device_id, name=payload.name, area=area, kind=payload.kind,
                                       site=payload.site)
    return Status(201, {"device_id": device.device_id, "name": device.name, "area": device.area_id, "kind": device.kind,
                        "site": device.site, "taken_in": taken})


class ReasonOut(Schema):
    code: str
    label: str
    value: float


class CandidateOut(Schema):
    number: str
    title: str
    state: str
    created_at: datetime
    score: float
    reasons: list[ReasonOut]


@router.get("/cases/{number}/repeat-candidates", response={200: list[CandidateOut], **ERRORS}, summary="Likely repeats of a case, best first")
def repeat_candidates(request: HttpRequest, number: str):
    case = get_visible_case(request, number)
    if not may_link(request.user, case):
        raise NotPermitted(_("Only staff who accept and dispatch this case may mark it as a repeat."))
    return [
        {"number": c.case.number, "title": c.case.title, "state": c.case.state, "created_at": c.case.created_at, "score": c.score,
         "reasons": [{"code": r.code, "label": r.label, "value": r.value} for r in c.reasons]}
        for c in find_repeat_candidates(case, user=request.user)
    ]


class LinkIn(Schema):
    original: str = Field(description="Number of the case this one repeats")
    note: str = ""
    score: float | None = None


class LinkOut(Schema):
    case: str
    original: str
    created_at: datetime


@router.post("/cases/{number}/link-repeat", response={200: LinkOut, **ERRORS}, summary="Mark a case as a repeat (重复件) of another")
def link_repeat(request: HttpRequest, number: str, payload: LinkIn):
    case = get_visible_case(request, number)
    link = do_link_repeat(case, payload.original, request.user, note=payload.note, score=payload.score)
    return {"case": case.number, "original": link.original.number, "created_at": link.created_at}


class SuggestionOut(Schema):
    category: str
    category_name: str
    unit: str | None
    confidence: float
    source: str = Field(description="coldstart (category descriptions and a language model) or blend (with the model trained by jiceng train-router)")


@router.get("/triage/suggest", response={200: list[SuggestionOut], **ERRORS}, summary="Top three category and unit suggestions for a text")
def routing_suggestions(request: HttpRequest, text: str = "", area: str = ""):
    return [{"category": s.category.code, "category_name": s.category.name, "unit": s.unit.name if s.unit else None,
             "confidence": round(s.confidence, 4), "source": s.source} for s in suggest(text[:4000], area)]


class CallerCase(Schema):
    number: str
    title: str
    created_at: datetime


class CallerOut(Schema):
    kind: str = Field(description="phone or id_number")
    value: str
    name: str
    count: int
    last_at: datetime
    masked: bool
    cases: list[CallerCase]


@router.get("/triage/frequent-callers", response={200: list[CallerOut], **ERRORS}, summary="Reporters with many cases in a period")
def list_frequent_callers(request: HttpRequest, min_cases: int | None = Query(None, ge=0, le=100_000),
                          period_days: int | None = Query(None, ge=1, le=3660), reveal: bool = False):
    if not is_staff(request.user):
        raise NotPermitted(_("The frequent-caller list is for staff only."))
    callers = frequent_callers(request.user, min_cases=min_cases, period_days=period_days, reveal=reveal)
    return [{"kind": c.kind, "value": c.value, "name": c.name, "count": c.count, "last_at": c.last_at, "masked": c.masked,
             "cases": [{"number": x.number, "title": x.title, "created_at": x.created_at} for x in c.cases]} for c in callers]
