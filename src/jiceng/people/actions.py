"""Domain operations on the registry: register, households, tags, merge.

Views, the REST API, the importer, programmes and the demo call these; each
checks access (``people.access``), validates with Chinese messages naming the
field, and runs in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.areas.models import Area, AreaLevel, Grid
from jiceng.errors import Conflict, InvalidInput, NotPermitted
from jiceng.textcheck import has_control_character, is_blank

from . import access, identity
from .models import Household, Membership, MergeRecord, Person, PersonTag, Relationship, TagKind


def clean_text(value: Any, field: str, label: str, max_len: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if has_control_character(text):
        raise InvalidInput(_("%(label)s含有控制字符") % {"label": label}, field=field)
    if is_blank(text):
        text = ""  # invisible-only text (zero-width, direction marks) is no text, as in cases' cleaning
    if required and not text:
        raise InvalidInput(_("请填写%(label)s") % {"label": label}, field=field)
    if len(text) > max_len:
        raise InvalidInput(_("%(label)s不能超过%(n)s个字") % {"label": label, "n": max_len}, field=field)
    return text


def clean_place(area: Area | None, grid: Grid | None) -> tuple[Area, Grid | None]:
    """A village (taken from the grid when only the grid is given); the grid must lie in it."""
    if area is None and grid is not None:
        area = grid.area
    if area is None:
        raise InvalidInput(_("请选择村（社区）"), field="area")
    if area.level != AreaLevel.VILLAGE:
        raise InvalidInput(_("村（社区）必须是村或社区一级，“%(name)s”不是") % {"name": area.name}, field="area")
    if grid is not None and grid.area_id != area.code:
        raise InvalidInput(_("网格“%(grid)s”不在%(area)s") % {"grid": grid.name, "area": area.name}, field="grid")
    return area, grid


def clean_date(value: Any, field: str, label: str, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(_("请填写%(label)s") % {"label": label}, field=field)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value).strip().replace("/", "-").replace(".", "-"))
    except ValueError:
        raise InvalidInput(_("%(label)s“%(value)s”不是有效日期（格式：2026-03-01）") % {"label": label, "value": str(value)[:20]},
                           field=field) from None
    if not 1900 <= day.year <= 2200:
        raise InvalidInput(_("%(label)s“%(value)s”不合理") % {"label": label, "value": day.isoformat()}, field=field)
    return day


def surviving(person: Person) -> Person:
    """Follow merges to the person that holds a duplicate's record now."""
    seen = set()
    while person.merged_into_id is not None and person.pk not in seen:
        seen.add(person.pk)
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def find_by_id_number(id_number: str) -> Person | None:
    """The (surviving) person with this clean ID number, or None."""
    person = Person.objects.filter(identity.by_id_number_q(id_number)).first()
    return surviving(person) if person is not None else None


@dataclass(frozen=True)
class PersonInput:
    """What a registration says about a person; empty optional values leave a known person's data as it is."""

    id_number: str
    name: str
    phone: str = ""
    address: str = ""
    area: Area | None = None
    grid: Grid | None = None


def clean_person(data: PersonInput) -> PersonInput:
    id_number = identity.clean_id_number(data.id_number)
    name = clean_text(data.name, "name", _("姓名"), 32, required=True)
    phone = identity.normalise_phone(data.phone)
    address = clean_text(data.address, "address", _("住址"), 200)
    area, grid = clean_place(data.area, data.grid)
    return PersonInput(id_number, name, phone, address, area, grid)


def _apply(person: Person, data: PersonInput) -> None:
    person.name = data.name
    if data.phone:
        for k, v in identity.phone_fields(data.phone).items():
            setattr(person, k, v)
    if data.address:
        person.address = data.address
    person.area = data.area
    if data.grid is not None:
        person.grid = data.grid


@transaction.atomic
def do_register_person(user: User | None, data: PersonInput) -> tuple[Person, bool]:
    """Register a person, or update the one already registered with this ID number (never a second row).

    Returns ``(person, created)``. A merged duplicate's ID number finds the
    person it was merged into.
    """
    data = clean_person(data)
    access.check_manage_place(user, data.area, data.grid)
    person = find_by_id_number(data.id_number)
    if person is not None:
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.area_id and not access.can_manage_place(user, person.area, person.grid):
            raise NotPermitted(_("身份证号码 %(id)s 已登记在其他辖区，请联系该辖区或上级调整") % {"id": data.id_number[:4] + "…"},
                               field="id_number")
        _apply(person, data)
        person.save()
        return person, False
    person = Person(**identity.identity_fields(data.id_number))
    _apply(person, data)
    try:
        with transaction.atomic():
            person.save(force_insert=True)
    except IntegrityError:
        # Registered at the same moment by someone else: update theirs.
        existing = find_by_id_number(data.id_number)
        _apply(existing, data)
        existing.save()
        return existing, False
    return person, True


# --- households --------------------------------------------------------------------

@transaction.atomic
def do_create_household(user: User | None, *, number: str, area: Area | None, grid: Grid | None = None, address: str = "",
                        head: Person | None = None, joined: dt.date | None = None) -> Household:
    """A new household; with ``head`` the head joins it as 户主."""
    number = clean_text(number, "number", _("户编号"), 32, required=True)
    area, grid = clean_place(area, grid)
    access.check_manage_place(user, area, grid)
    if Household.objects.filter(number=number).exists():
        raise Conflict(_("户编号 %(number)s 已存在") % {"number": number}, field="number")
    household = Household.objects.create(number=number, area=area, grid=grid, address=clean_text(address, "address", _("住址"), 200))
    if head is not None:
        do_add_member(user, household, head, Relationship.HEAD, joined)
    return household


@transaction.atomic
def do_add_member(user: User | None, household: Household, person: Person, relationship: str, joined: dt.date | None = None) -> Membership:
    """Add ``person`` to ``household`` (leaving their current household that day); 户主 becomes the head."""
    access.check_manage_place(user, household.area, household.grid)
    if relationship not in Relationship.values:
        raise InvalidInput(_("与户主关系必须是：%(choices)s") % {"choices": "、".join(str(c.label) for c in Relationship)},
                           field="relationship")
    person = surviving(person)
    joined = joined or timezone.localdate()
    current = Membership.objects.select_for_update().filter(person=person, left__isnull=True).first()
    if current is not None:
        if current.household_id == household.pk:
            if current.relationship != relationship:
                current.relationship = relationship
                current.save(update_fields=["relationship"])
                _set_head(household, person, relationship)
            return current
        current.left = joined
        current.save(update_fields=["left"])
    if relationship == Relationship.HEAD and household.head_id and household.head_id != person.pk:
        Membership.objects.filter(household=household, person_id=household.head_id, left__isnull=True).update(relationship=Relationship.OTHER)
    membership = Membership.objects.create(household=household, person=person, relationship=relationship, joined=joined)
    _set_head(household, person, relationship)
    return membership


def _set_head(household: Household, person: Person, relationship: str) -> None:
    if relationship == Relationship.HEAD and household.head_id != person.pk:
        household.head = person
        household.save(update_fields=["head"])


@transaction.atomic
def do_remove_member(user: User | None, household: Household, person: Person, left: dt.date | None = None) -> None:
    access.check_manage_place(user, household.area, household.grid)
    updated = Membership.objects.filter(household=household, person=person, left__isnull=True).update(left=left or timezone.localdate())
    if not updated:
        raise InvalidInput(_("%(name)s 不是该户的现有成员") % {"name": person.name}, field="person")
    if household.head_id == person.pk:
        household.head = None
        household.save(update_fields=["head"])


def members_of(household: Household, on: dt.date | None = None) -> QuerySet[Membership]:
    """The members on a day (default: now)."""
    qs = household.memberships.select_related("person")
    if on is None:
        return qs.filter(left__isnull=True)
    return qs.filter(joined__lte=on).filter(Q(left__isnull=True) | Q(left__gt=on))


# --- tags --------------------------------------------------------------------------

def tag_kind(code_or_name: str) -> TagKind:
    text = str(code_or_name or "").strip()
    kind = TagKind.objects.filter(Q(code=text) | Q(name=text)).first() if text else None
    if kind is None:
        names = "、".join(TagKind.objects.values_list("name", flat=True))
        raise InvalidInput(_("标签“%(tag)s”不存在；可用的标签：%(names)s") % {"tag": text[:20], "names": names}, field="tag")
    return kind


def clean_risk_type(kind: TagKind, risk_type: str) -> str:
    risk_type = str(risk_type or "").strip()
    if risk_type and risk_type not in kind.risk_types:
        allowed = "、".join(kind.risk_types) if kind.risk_types else _("（该标签没有风险类型）")
        raise InvalidInput(_("风险类型“%(risk)s”不适用于标签“%(tag)s”；可选：%(allowed)s") % {"risk": risk_type[:16], "tag": kind.name,
                           "allowed": allowed}, field="risk_type")
    return risk_type


def held_on_q(day: dt.date) -> Q:
    """Tags held on ``day``: started on or before it and not ended by it."""
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def tagged_on(kind: TagKind, day: dt.date) -> QuerySet[PersonTag]:
    """Who held ``kind`` on ``day`` (one row per holding; a person holds a kind at most once a day)."""
    return PersonTag.objects.filter(held_on_q(day), kind=kind)


@transaction.atomic
def do_set_tag(user: User | None, person: Person, kind: TagKind, *, valid_from: Any, risk_type: str = "", source: str = "",
               valid_to: Any = None) -> tuple[PersonTag, bool]:
    """Give ``person`` the tag from ``valid_from``. Returns ``(tag, created)``.

    A tag the person already holds then is kept (``created`` False): periods of
    one kind never overlap, so the history reads as one line per kind.
    """
    person = surviving(person)
    access.check_manage_place(user, person.area, person.grid)
    start = clean_date(valid_from, "valid_from", _("起始日期"))
    end = clean_date(valid_to, "valid_to", _("终止日期"), required=False)
    if end is not None and end <= start:
        raise InvalidInput(_("终止日期必须晚于起始日期"), field="valid_to")
    risk_type = clean_risk_type(kind, risk_type)
    source = clean_text(source, "source", _("来源"), 100)
    # Lock the person's row so two settings of the same tag cannot both pass the overlap check.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    overlapping = PersonTag.objects.filter(person=person, kind=kind).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
    if end is not None:
        overlapping = overlapping.filter(valid_from__lt=end)
    existing = overlapping.order_by("valid_from").first()
    if existing is not None:
        return existing, False
    tag = PersonTag.objects.create(person=person, kind=kind, risk_type=risk_type, valid_from=start, valid_to=end, source=source,
                                   set_by=user if user is not None and user.is_authenticated else None)
    return tag, True


@transaction.atomic
def do_end_tag(user: User | None, tag: PersonTag, *, valid_to: Any, reason: str) -> PersonTag:
    """End a tag on ``valid_to`` (the first day it no longer holds), with the reason; the row stays in the history."""
    tag = PersonTag.objects.select_for_update(of=("self",)).select_related("person", "kind").get(pk=tag.pk)
    access.check_manage_place(user, tag.person.area, tag.person.grid)
    end = clean_date(valid_to, "valid_to", _("终止日期"))
    reason = clean_text(reason, "reason", _("终止原因"), 200, required=True)
    if tag.valid_to is not None:
        raise Conflict(_("该标签已于 %(day)s 终止") % {"day": tag.valid_to.isoformat()}, field="valid_to")
    if end <= tag.valid_from:
        raise InvalidInput(_("终止日期必须晚于起始日期 %(day)s") % {"day": tag.valid_from.isoformat()}, field="valid_to")
    tag.valid_to, tag.ended_by, tag.end_reason = end, user, reason
    tag.save(update_fields=["valid_to", "ended_by", "end_reason"])
    return tag


# --- merging duplicates --------------------------------------------------------------

def _snapshot(person: Person) -> dict:
    # The ID number and phone stay (sealed) on the duplicate's own row, which is kept; the record does not copy them.
    return {"name": person.name, "address": person.address, "area": person.area_id, "grid": person.grid_id,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None, "sex": person.sex}


@transaction.atomic
def do_merge_people(user: User | None, survivor: Person, duplicate: Person, *, reason: str) -> MergeRecord:
    """Merge a duplicate into the surviving person, keeping both histories.

    The duplicate's tags and household memberships move to the survivor (each
    tag remembers it came from the duplicate); where both held a tag kind, the
    periods are kept side by side. The duplicate's row stays with
    ``merged_into`` set, so its ID number still finds the survivor, and a
    :class:`MergeRecord` keeps its details as they were.
    """
    reason = clean_text(reason, "reason", _("合并原因"), 200, required=True)
    if survivor.pk == duplicate.pk:
        raise InvalidInput(_("不能把一个人合并到自己"), field="duplicate")
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])}
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    if survivor.merged_into_id or duplicate.merged_into_id:
        raise Conflict(_("已合并过的人员不能再次合并"), field="duplicate")
    for p in (survivor, duplicate):
        access.check_manage_place(user, p.area, p.grid)
    record = MergeRecord.objects.create(survivor=survivor, duplicate=duplicate, by=user, reason=reason, snapshot=_snapshot(duplicate))
    PersonTag.objects.filter(person=duplicate).update(person=survivor, merged_from=duplicate)
    dup_membership = Membership.objects.filter(person=duplicate, left__isnull=True).first()
    if dup_membership is not None:
        if Membership.objects.filter(person=survivor, left__isnull=True).exists():
            dup_membership.left = timezone.localdate()
            dup_membership.save(update_fields=["left"])
        Household.objects.filter(head=duplicate).update(head=survivor if dup_membership.left is None else None)
    Membership.objects.filter(person=duplicate).update(person=survivor)
    if not identity.phone_of(survivor) and identity.phone_of(duplicate):
        for k, v in identity.phone_fields(identity.phone_of(duplicate)).items():
            setattr(survivor, k, v)
    if not survivor.address and duplicate.address:
        survivor.address = duplicate.address
    if survivor.grid_id is None:
        survivor.grid_id = duplicate.grid_id
    survivor.save()
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into", "updated_at"])
    return record
