"""REST endpoints of the registry: people, households, tags (and who held one on a day), registration, import, merge.

Every read goes through ``people.access``; every write through the ``do_*`` operations the web pages call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from jiceng.accounts.capabilities import Capability, require
from jiceng.areas.models import Area, Grid
from jiceng.errors import InvalidInput
from jiceng.schemas import ErrorOut

from . import access
from .actions import PersonInput, clean_date, do_end_tag, do_merge_people, do_register_person, do_set_tag, members_of, tag_kind
from .filters import PersonFilter, filter_households, filter_people, page_of
from .importer import do_import_roster, read_sheet
from .models import Household, Person, PersonTag

router = Router(tags=["people"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class PersonRow(Schema):
    id: int
    name: str
    id_number: str = Field(description="Masked in lists")
    phone: str = Field(description="Masked in lists")
    sex: str
    birth_date: dt.date | None
    area: str | None
    grid: str | None


class PersonPage(Schema):
    items: list[PersonRow]
    next_before: int | None


class TagOut(Schema):
    id: int
    kind: str
    kind_name: str
    risk_type: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    end_reason: str


class PersonOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    address: str
    masked: bool
    sex: str
    birth_date: dt.date | None
    area: str | None
    grid: str | None
    household: int | None
    tags: list[TagOut]


class PersonIn(Schema):
    id_number: str
    name: str
    phone: str = ""
    address: str = ""
    area: str = Field("", description="Village code (12 digits); may be left out when grid is given")
    grid: str = Field("", description="Grid code")


class TagIn(Schema):
    kind: str = Field(description="Tag kind code or name, e.g. dibao or 低保")
    valid_from: dt.date
    valid_to: dt.date | None = None
    risk_type: str = ""
    source: str = ""


class EndTagIn(Schema):
    valid_to: dt.date
    reason: str


class MergeIn(Schema):
    survivor: int
    duplicate: int
    reason: str


class ImportOut(Schema):
    created: int
    updated: int
    households_created: int
    memberships: int
    tags_created: int
    tags_kept: int


class HeldRow(Schema):
    person: int
    name: str
    id_number: str
    area: str | None
    risk_type: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str


class HeldPage(Schema):
    items: list[HeldRow]
    next_before: int | None


class MemberOut(Schema):
    person: int
    name: str
    relationship: str
    joined: dt.date


class HouseholdOut(Schema):
    id: int
    number: str
    area: str
    grid: str | None
    head: int | None
    members: list[MemberOut] = []


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_before: int | None


def _row(user, p: Person, show: bool) -> dict:
    shown = access.listed_person(user, p, show)
    return {"id": p.pk, "name": shown["name"], "id_number": shown["id_number"], "phone": shown["phone"], "sex": p.sex,
            "birth_date": p.birth_date, "area": p.area_id, "grid": p.grid.code if p.grid_id else None}


def _tag(t: PersonTag) -> dict:
    return {"id": t.pk, "kind": t.kind.code, "kind_name": t.kind.name, "risk_type": t.risk_type, "valid_from": t.valid_from,
            "valid_to": t.valid_to, "source": t.source, "end_reason": t.end_reason}


def _detail(user, person: Person, reveal: bool) -> dict:
    shown = access.person_view(user, person, reveal=reveal, purpose="api")
    membership = person.memberships.filter(left__isnull=True).first()
    return {"id": person.pk, "name": shown["name"], "id_number": shown["id_number"], "phone": shown["phone"], "address": shown["address"],
            "masked": shown["masked"], "sex": person.sex, "birth_date": person.birth_date, "area": person.area_id,
            "grid": person.grid.code if person.grid_id else None, "household": membership.household_id if membership else None,
            "tags": [_tag(t) for t in person.tags.select_related("kind").order_by("-valid_from", "-id")]}


class PeopleQuery(Schema):
    q: str = Field("", description="Name (prefix) or a full ID number")
    area: str = Field("", description="Area code or prefix")
    grid: str = ""
    tag: str = Field("", description="Tag kind code: people holding it on `on` (default today)")
    on: dt.date | None = None
    before: int | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get("/people", response={200: PersonPage, **ERRORS}, summary="List people visible to the caller (masked)")
def list_people(request: HttpRequest, query: Query[PeopleQuery]):
    access.check_reads_registry(request.user)
    f = PersonFilter(q=query.q, area=query.area, grid=query.grid, tag=query.tag, on=query.on, before=query.before)
    qs = filter_people(access.visible_people(request.user).select_related("grid"), f)
    items, next_before = page_of(qs, query.limit)
    show = access.shows_names(request.user)
    return {"items": [_row(request.user, p, show) for p in items], "next_before": next_before}


def _place(area_code: str, grid_code: str) -> tuple[Area | None, Grid | None]:
    grid = Grid.objects.filter(code=grid_code).select_related("area").first() if grid_code else None
    if grid_code and grid is None:
        raise InvalidInput(_("网格代码“%(code)s”不存在") % {"code": grid_code[:20]}, field="grid")
    area = Area.objects.filter(code=area_code).first() if area_code else None
    if area_code and area is None:
        raise InvalidInput(_("村（社区）代码“%(code)s”不存在") % {"code": area_code[:20]}, field="area")
    return area, grid


@router.post("/people", response={200: PersonOut, 201: PersonOut, **ERRORS}, summary="Register a person (a known ID number updates them)")
def register_person(request: HttpRequest, payload: PersonIn):
    area, grid = _place(payload.area, payload.grid)
    person, created = do_register_person(request.user, PersonInput(payload.id_number, payload.name, payload.phone, payload.address, area, grid))
    return Status(201 if created else 200, _detail(request.user, person, reveal=False))


@router.get("/people/{int:pk}", response={200: PersonOut, **ERRORS}, summary="Read one person",
            description="ID number, phone and address are masked; `reveal=true` unmasks them for staff who need it, and is logged.")
def read_person(request: HttpRequest, pk: int, reveal: bool = False):
    return _detail(request.user, access.access_person(request.user, pk), reveal)


@router.post("/people/{int:pk}/tags", response={200: TagOut, 201: TagOut, **ERRORS}, summary="Give a person a tag from a date")
def set_tag(request: HttpRequest, pk: int, payload: TagIn):
    person = access.access_person(request.user, pk)
    tag, created = do_set_tag(request.user, person, tag_kind(payload.kind), valid_from=payload.valid_from, valid_to=payload.valid_to,
                              risk_type=payload.risk_type, source=payload.source)
    return Status(201 if created else 200, _tag(tag))


@router.post("/people/{int:pk}/tags/{tag_id}/end", response={200: TagOut, **ERRORS}, summary="End a tag (kept in the history)")
def end_tag(request: HttpRequest, pk: int, tag_id: int, payload: EndTagIn):
    person = access.access_person(request.user, pk)
    tag = PersonTag.objects.filter(pk=tag_id, person=person).first()
    if tag is None:
        raise access.not_found()
    return _tag(do_end_tag(request.user, tag, valid_to=payload.valid_to, reason=payload.reason))


class HeldQuery(Schema):
    kind: str = Field(description="Tag kind code or name")
    on: dt.date | None = Field(None, description="Default today")
    before: int | None = None
    limit: int = Field(100, ge=1, le=500)


@router.get("/tags/held", response={200: HeldPage, **ERRORS}, summary="Who held a tag on a day (tag history)")
def held_on(request: HttpRequest, query: Query[HeldQuery]):
    access.check_reads_registry(request.user)
    from django.utils import timezone

    day = clean_date(query.on or timezone.localdate(), "on", _("日期"))
    qs = access.visible_tags_held(request.user, tag_kind(query.kind), day)
    if query.before:
        qs = qs.filter(pk__lt=query.before)
    items, next_before = page_of(qs.select_related("person").order_by("-id"), query.limit)
    show = access.shows_names(request.user)
    rows = []
    for t in items:
        shown = access.listed_person(request.user, t.person, show)
        rows.append({"person": t.person_id, "name": shown["name"], "id_number": shown["id_number"], "area": t.person.area_id,
                     "risk_type": t.risk_type, "valid_from": t.valid_from, "valid_to": t.valid_to, "source": t.source})
    return {"items": rows, "next_before": next_before}


@router.post("/people/merge", response={200: PersonOut, **ERRORS}, summary="Merge a duplicate into a surviving person (both histories kept)")
def merge_people(request: HttpRequest, payload: MergeIn):
    survivor = access.access_person(request.user, payload.survivor)
    duplicate = access.access_person(request.user, payload.duplicate)
    do_merge_people(request.user, survivor, duplicate, reason=payload.reason)
    return _detail(request.user, Person.objects.get(pk=survivor.pk), reveal=False)


@router.post("/people/import", response={200: ImportOut, **ERRORS}, summary="Import a roster (.xlsx or .csv): all rows or none",
             description="Errors answer 400 with `errors`: a list of {row, column, message} for every wrong row; nothing is written.")
def import_roster(request: HttpRequest, file: File[UploadedFile], source: Form[str]):
    require(request.user, Capability.MANAGE_PEOPLE)
    rows = read_sheet(file.read(), file.name or "")
    return asdict(do_import_roster(request.user, rows, source=source))


def _household(user, h: Household, with_members: bool) -> dict:
    out = {"id": h.pk, "number": h.number, "area": h.area_id, "grid": h.grid.code if h.grid_id else None, "head": h.head_id, "members": []}
    if with_members:
        show = access.shows_names(user)
        out["members"] = [{"person": m.person_id, "name": access.listed_person(user, m.person, show)["name"], "relationship": m.relationship,
                           "joined": m.joined} for m in members_of(h)]
    return out


class HouseholdQuery(Schema):
    q: str = ""
    area: str = ""
    before: int | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get("/households", response={200: HouseholdPage, **ERRORS}, summary="List households visible to the caller")
def list_households(request: HttpRequest, query: Query[HouseholdQuery]):
    access.check_reads_registry(request.user)
    params = {k: "" if v is None else str(v) for k, v in query.dict().items()}
    qs = filter_households(access.visible_households(request.user).select_related("grid"), params)
    items, next_before = page_of(qs, query.limit)
    return {"items": [_household(request.user, h, False) for h in items], "next_before": next_before}


@router.get("/households/{int:pk}", response={200: HouseholdOut, **ERRORS}, summary="One household with its members")
def read_household(request: HttpRequest, pk: int):
    return _household(request.user, access.access_household(request.user, pk), True)
