"""Request and response shapes of the case endpoints (they make the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from jiceng.schemas import Ref, UnitRef


class PersonOut(Schema):
    name: str
    phone: str
    id_number: str
    address: str
    masked: bool = Field(description="True when the values are masked for this viewer")


class CaseSummary(Schema):
    number: str
    title: str
    category: Ref
    area: Ref
    state: str
    state_label: str
    level: str
    unit: UnitRef | None
    channel: str
    urgency: str
    deadline: datetime | None
    overdue: bool
    due_state: str = Field(description="none, normal, due_soon (临期) or overdue (超期), on the working calendar")
    created_at: datetime
    updated_at: datetime


class CaseOut(CaseSummary):
    description: str
    grid: str | None = Field(None, description="Grid code")
    fields: dict[str, Any]
    anonymous: bool
    reporter: PersonOut
    plan: str
    result: str
    rating: str
    resolved_level: str
    merged_into: str
    supervise_count: int
    escalation_count: int
    promised_at: datetime | None = Field(None, description="承诺办结时间: the date promised to the resident at acceptance; escalation never moves it, an approved extension does")
    reply_by: datetime | None = Field(None, description="督办回复期限: by when the latest supervision must be answered; null when answered or none")
    reply_overdue: bool = Field(False, description="The answer to the latest supervision is overdue")
    version: int = Field(description="Send back as expected_version to detect concurrent changes")
    allowed_actions: list[str]


class CasePage(Schema):
    items: list[CaseSummary]
    next_before: int | None = Field(None, description="Pass as `before` to get the next page; null on the last page")


class CaseIn(Schema):
    category: str = Field(description="Leaf category code, see GET /api/v1/categories")
    area: str = Field("", description="12-digit village / community code; or give lat/long or address (then it is found)")
    title: str = Field(max_length=120)
    description: str = Field(max_length=4000)
    grid: str | None = Field(None, description="Grid code in that village")
    address: str = Field("", description="Address in words; without `area`, matched against village, grid and landmark names")
    lat: float | None = Field(None, ge=-90, le=90, description="Latitude of the matter (with `long`)")
    long: float | None = Field(None, ge=-180, le=180, description="Longitude of the matter (with `lat`)")
    crs: str = Field("wgs84", description="Coordinate system of lat/long: wgs84, gcj02 (Chinese phone maps) or bd09")
    channel: str = Field("api", description="web, hotline, patrol, wechat, video, sensor, api, visit")
    urgency: str = Field("normal", description="normal, urgent or critical: chooses the category's limits")
    fields: dict[str, Any] = Field(default_factory=dict, description="Values for the category's fields")
    anonymous: bool = False
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_id_number: str = ""
    source_ref: str = Field("", description="External id: hotline ticket, device id")


class QueuedOut(Schema):
    queued: bool = Field(True, description="The report could not be placed in a village: it waits for a dispatcher (待定位)")
    token: str = Field(description="Reference of the waiting report")
    message: str


class PublicCaseIn(Schema):
    category: str
    area: str
    title: str = Field(max_length=120)
    description: str = Field(max_length=4000)
    address: str = ""
    anonymous: bool = False
    reporter_name: str = ""
    reporter_phone: str = ""
    fields: dict[str, Any] = Field(default_factory=dict)


class TrackEvent(Schema):
    action: str
    action_label: str
    to_state: str
    unit: str | None
    at: datetime


class PublicCaseOut(Schema):
    """What the public may know of any case: its number, kind, place (village), progress and dates; never people."""

    number: str
    category: str
    area: str
    state: str
    state_label: str
    is_open: bool
    unit: str | None
    created_at: datetime
    updated_at: datetime
    deadline: datetime | None


class TrackOut(PublicCaseOut):
    events: list[TrackEvent]
    query_code: str | None = Field(None, description="Only in the answer to a submission: keep it to follow the case")


class BoardItemOut(PublicCaseOut):
    """A case on the public board (公开栏): progress and place, the result masked once resolved; never people."""

    area_code: str
    progress: TrackEvent | None = Field(None, description="The latest step: what, when, at which unit")
    result: str = Field("", description="Once resolved: what was done, with phone and ID numbers, names and the exact address masked")
    rating_label: str = ""
    resolved_level_label: str = ""


class BoardOut(Schema):
    items: list[BoardItemOut]
    total: int
    next_before: int | None = Field(None, description="Pass as `before` for the next (older) page")


class EventOut(Schema):
    seq: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor: str
    unit: UnitRef | None
    at: datetime
    note: str
    payload: dict[str, Any]
    hash: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    event_seq: int | None


class AllowedAction(Schema):
    action: str
    label: str


class FieldSpecOut(Schema):
    name: str
    label: str
    type: str
    required: bool
    stage: str
    choices: list[str] | None = None


class CategoryOut(Schema):
    code: str
    name: str
    parent: str | None
    description: str
    start_level: str
    allow_anonymous: bool
    leaf: bool
    fields: list[FieldSpecOut]


class CountRow(Schema):
    key: str
    label: str
    count: int


class SummaryOut(Schema):
    total: int
    open: int
    overdue: int
    by_state: list[CountRow]
    by_category: list[CountRow]
    resolved_at_level: list[CountRow]
    ratings: list[CountRow]
    satisfaction_rate: float | None = Field(None, description="(satisfied + basically satisfied) / rated")
