"""The roster import: people, households and tags from an Excel sheet (or rows), all or nothing, in bulk.

Every row is checked first; any error in any row rejects the whole file with
a list of row-level Chinese errors naming the column, and nothing is written.
A clean file is written with a handful of bulk statements per 2,000 rows
(``bulk_create`` / ``bulk_update``), never row by row, so a county roster of
10⁵ people imports in seconds. Known ID numbers update the person
(one person per ID number); tags the person already holds are kept.

Files are read by the one shared reader, :mod:`jiceng.tabular` (.xlsx and
CSV in UTF-8 or GB18030, size and row limits, header normalisation).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, require
from jiceng.accounts.models import User
from jiceng.areas.models import Area, AreaLevel, Grid
from jiceng import tabular
from jiceng.errors import DomainError, InvalidInput
from jiceng.sealed import sealing_batch
from jiceng.tabular import MAX_ERRORS_SHOWN, ImportRejected, RowError  # noqa: F401 - the importers' shared types, re-exported

from . import access, identity
from .actions import clean_date, clean_risk_type, clean_text
from .models import Household, Membership, Person, PersonTag, Relationship, TagKind

BATCH = 2000
MAX_ROWS = 200_000

# Column header (as people type it) → field; the first header of each field is the one the template uses.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "证件号码"),
    "name": ("姓名",),
    "phone": ("联系电话", "手机号码", "电话", "手机"),
    "address": ("住址", "家庭住址", "地址"),
    "village": ("村（社区）代码", "村（社区）", "村代码", "村"),
    "grid": ("网格代码", "网格"),
    "household": ("户编号", "户号"),
    "relationship": ("与户主关系", "关系"),
    "tags": ("标签", "人员类别"),
    "risk_type": ("风险类型",),
    "valid_from": ("标签起始日期", "起始日期", "认定日期"),
}
LABELS = {f: headers[0] for f, headers in COLUMNS.items()}
REQUIRED = ("id_number", "name")
RELATIONSHIP_BY_LABEL = {str(c.label): c.value for c in Relationship} | {c.value: c.value for c in Relationship} | {"本人": "head"}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    households_created: int = 0
    memberships: int = 0
    tags_created: int = 0
    tags_kept: int = 0


@dataclass
class _Row:
    number: int
    id_number: str
    name: str
    phone: str
    address: str
    village: Area
    grid: Grid | None
    household: str
    relationship: str
    tags: list[tuple[TagKind, str]] = field(default_factory=list)
    valid_from: dt.date | None = None


# --- reading --------------------------------------------------------------------------

def read_sheet(data: bytes, filename: str = "", columns: dict[str, tuple[str, ...]] | None = None,
               required: tuple[str, ...] = REQUIRED) -> list[dict[str, Any]]:
    """Rows of the first sheet of an .xlsx or .csv file as dicts keyed by field (through :mod:`jiceng.tabular`).

    The header row is mapped by ``columns`` (field → accepted headers; default: the roster's COLUMNS).
    Row ``i`` of the list is spreadsheet row ``i + 2`` — blank rows keep their place as empty dicts — so
    the importers' ``first_row=2`` numbering names the row as Excel shows it.
    """
    columns = columns or COLUMNS
    table = tabular.read_table(data, filename or "file.xlsx", max_rows=MAX_ROWS)
    positions = tabular.find_columns(table, columns, required)
    rows: list[dict[str, Any]] = []
    for number, row in tabular.records(table, positions):
        rows.extend({} for _gap in range(number - 2 - len(rows)))
        rows.append(row)
    return rows


def template_workbook() -> bytes:
    """An empty roster with the expected headers and one example row."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "人员名册"
    ws.append([LABELS[f] for f in COLUMNS])
    ws.append(["431102199001011237", "张三明", "13812345678", "某某村3组12号", "431102101201", "431102101201001", "H431102101201-0001",
               "户主", "低保、独居老人", "", "2026-01-01"])
    for col in ws.columns:
        col[0].number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- checking -------------------------------------------------------------------------

def _cell(value: Any) -> str:
    """A cell as text; a date-time cell as its date (the roster's dates are days)."""
    return tabular.cell_text(value.date() if isinstance(value, dt.datetime) else value)


class _Checker:
    """Checks rows against the registry's vocabularies, loaded once."""

    def __init__(self, user: User | None) -> None:
        self.user = user
        self.villages = {a.code: a for a in Area.objects.filter(level=AreaLevel.VILLAGE)}
        self.village_names = {a.name: a for a in self.villages.values()}
        self.grids = {g.code: g for g in Grid.objects.select_related("area")}
        self.kinds = {k.name: k for k in TagKind.objects.all()} | {k.code: k for k in TagKind.objects.all()}
        self.allowed: dict[tuple[str, int | None], bool] = {}

    def may(self, village: Area, grid: Grid | None) -> bool:
        key = (village.code, grid.pk if grid else None)
        if key not in self.allowed:
            self.allowed[key] = access.can_manage_place(self.user, village, grid)
        return self.allowed[key]

    def row(self, number: int, raw: dict[str, Any], errors: list[RowError]) -> _Row | None:
        before = len(errors)

        def fail(f: str, exc: Exception | str) -> None:
            message = exc.message if isinstance(exc, DomainError) else str(exc)
            errors.append(RowError(number, LABELS[f], message))

        values = {f: _cell(raw.get(f)) for f in COLUMNS}
        id_number = name = phone = address = ""
        try:
            id_number = identity.clean_id_number(values["id_number"])
        except InvalidInput as exc:
            fail("id_number", exc.message.split("：", 1)[-1])
        try:
            name = clean_text(values["name"], "name", LABELS["name"], 32, required=True)
            address = clean_text(values["address"], "address", LABELS["address"], 200)
        except InvalidInput as exc:
            fail("name" if exc.field == "name" else "address", exc)
        try:
            phone = identity.normalise_phone(values["phone"])
        except InvalidInput as exc:
            fail("phone", exc)
        grid = self.grids.get(values["grid"]) if values["grid"] else None
        if values["grid"] and grid is None:
            fail("grid", _("网格代码“%(code)s”不存在") % {"code": values["grid"][:20]})
        village = self.villages.get(values["village"]) or self.village_names.get(values["village"])
        if village is None and grid is not None:
            village = grid.area
        if village is None:
            fail("village", _("村（社区）“%(code)s”不存在") % {"code": values["village"][:20]} if values["village"] else _("请填写村（社区）代码"))
        elif grid is not None and grid.area_id != village.code:
            fail("grid", _("网格“%(grid)s”不在%(village)s") % {"grid": grid.name, "village": village.name})
        elif not self.may(village, grid):
            fail("village", _("%(place)s不在您可以登记的辖区内") % {"place": (grid or village).name})
        relationship = ""
        if values["relationship"]:
            relationship = RELATIONSHIP_BY_LABEL.get(values["relationship"], "")
            if not relationship:
                fail("relationship", _("“%(value)s”不是可选的关系（%(choices)s）") % {
                    "value": values["relationship"][:10], "choices": "、".join(str(c.label) for c in Relationship)})
        if values["relationship"] and not values["household"]:
            fail("household", _("填写了与户主关系，但没有填写户编号"))
        tags: list[tuple[TagKind, str]] = []
        for text in [t.strip() for t in values["tags"].replace("，", "、").replace(",", "、").replace("；", "、").split("、") if t.strip()]:
            kind = self.kinds.get(text)
            if kind is None:
                fail("tags", _("标签“%(tag)s”不存在") % {"tag": text[:20]})
                continue
            try:
                tags.append((kind, clean_risk_type(kind, values["risk_type"]) if kind.risk_types else ""))
            except InvalidInput as exc:
                fail("risk_type", exc)
        valid_from = None
        try:
            valid_from = clean_date(values["valid_from"], "valid_from", LABELS["valid_from"], required=bool(tags))
        except InvalidInput as exc:
            fail("valid_from", exc)
        if len(errors) > before:
            return None
        return _Row(number, id_number, name, phone, address, village, grid, values["household"][:32], relationship, tags, valid_from)


# --- writing --------------------------------------------------------------------------

def _chunks(items: list, size: int = BATCH) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _existing_people(id_numbers: list[str]) -> dict[str, Person]:
    """Known people by ID number (a merged duplicate's number maps to its survivor)."""
    found: dict[str, Person] = {}
    merged: dict[str, int] = {}
    for chunk in _chunks(id_numbers, 5000):
        for p in Person.objects.filter(identity.by_id_numbers_q(chunk)):
            if p.merged_into_id is None:
                found[identity.id_number_of(p)] = p
            else:
                merged[identity.id_number_of(p)] = p.merged_into_id
    if merged:
        from .actions import surviving

        for number, pk in merged.items():
            found[number] = surviving(Person.objects.get(pk=pk))
    return found


def check_rows(user: User | None, rows: list[dict[str, Any]], first_row: int = 2) -> tuple[list[_Row], dict[str, Person]]:
    """Every row checked; ImportRejected listing all errors if any row is wrong."""
    checker, errors, clean = _Checker(user), [], []
    seen: dict[str, int] = {}
    for i, raw in enumerate(rows):
        number = first_row + i
        if all(v in (None, "") for v in raw.values()):
            continue
        row = checker.row(number, raw, errors)
        if row is None:
            continue
        if row.id_number in seen:
            errors.append(RowError(number, LABELS["id_number"], _("与第%(row)s行的身份证号码重复") % {"row": seen[row.id_number]}))
            continue
        seen[row.id_number] = number
        clean.append(row)
    if not clean and not errors:
        raise InvalidInput(_("文件中没有数据行"), field="file")
    existing = _existing_people([r.id_number for r in clean])
    for row in clean:
        person = existing.get(row.id_number)
        if person is not None and person.area_id and person.area_id != row.village.code and not checker.may(person.area, person.grid):
            errors.append(RowError(row.number, LABELS["id_number"], _("该身份证号码已登记在其他辖区，不能由您修改")))
    households = {r.household: r for r in clean if r.household}
    known = {h.number: h for chunk in _chunks(list(households), 5000) for h in Household.objects.filter(number__in=chunk)}
    for number, row in households.items():
        h = known.get(number)
        if h is not None and not checker.may(h.area, h.grid):
            errors.append(RowError(row.number, LABELS["household"], _("户编号 %(n)s 属于其他辖区") % {"n": number}))
    heads: dict[str, int] = {}
    for row in clean:
        if row.household and row.relationship == Relationship.HEAD:
            if row.household in heads:
                errors.append(RowError(row.number, LABELS["relationship"], _("户编号 %(n)s 在第%(row)s行已有户主") % {
                    "n": row.household, "row": heads[row.household]}))
            heads[row.household] = row.number
    if errors:
        errors.sort(key=lambda e: e.row)
        raise ImportRejected(errors)
    return clean, existing


def do_import_roster(user: User | None, rows: list[dict[str, Any]], *, source: str, first_row: int = 2,
                     today: dt.date | None = None) -> ImportResult:
    """Import a checked roster in one transaction, in bulk; ImportRejected (nothing written) if any row is wrong."""
    require(user, Capability.MANAGE_PEOPLE)
    source = clean_text(source, "source", _("来源"), 100, required=True)
    today = today or timezone.localdate()
    # One key ring and cipher context for every ID number and phone of the file (jiceng.sealed.sealing_batch).
    with transaction.atomic(), sealing_batch():
        clean, existing = check_rows(user, rows, first_row)
        result = ImportResult()
        people = _write_people(clean, existing, result)
        _write_households(user, clean, people, result, today)
        _write_tags(user, clean, people, source, result)
    return result


def _write_people(clean: list[_Row], existing: dict[str, Person], result: ImportResult) -> dict[str, Person]:
    new, changed, phones = [], [], []
    for row in clean:
        person = existing.get(row.id_number)
        if person is None:
            person = Person(**identity.identity_fields(row.id_number))
            new.append(person)
        else:
            changed.append(person)
            if row.phone and identity.phone_of(person) != row.phone:
                phones.append(person)
        person.name, person.area, person.grid = row.name, row.village, row.grid or person.grid
        if row.phone:
            for k, v in identity.phone_fields(row.phone).items():
                setattr(person, k, v)
        if row.address:
            person.address = row.address
        existing[row.id_number] = person
    now = timezone.now()
    for p in new:
        p.created_at = p.updated_at = now
    for chunk in _chunks(new):
        Person.objects.bulk_create(chunk)
    for p in changed:
        p.updated_at = now
    for chunk in _chunks(changed):
        Person.objects.bulk_update(chunk, ["name", "address", "area", "grid", "updated_at"])
    # Only phones that differ are written (each value is sealed on its own inside bulk_update's CASE).
    for chunk in _chunks(phones):
        Person.objects.bulk_update(chunk, ["phone", "phone_index"])
    result.created, result.updated = len(new), len(changed)
    if new and new[0].pk is None:  # databases that do not return keys from bulk inserts
        ids = {identity.id_number_of(p): p for p in Person.objects.filter(identity.by_id_numbers_q([identity.id_number_of(p) for p in new]))}
        existing.update(ids)
    return existing


def _write_households(user: User | None, clean: list[_Row], people: dict[str, Person], result: ImportResult, today: dt.date) -> None:
    rows = [r for r in clean if r.household]
    if not rows:
        return
    numbers = sorted({r.household for r in rows})
    known = {h.number: h for chunk in _chunks(numbers, 5000) for h in Household.objects.filter(number__in=chunk)}
    first = {}
    for r in rows:
        first.setdefault(r.household, r)
    fresh = [Household(number=n, area=first[n].village, grid=first[n].grid, address=first[n].address, created_at=timezone.now())
             for n in numbers if n not in known]
    for chunk in _chunks(fresh):
        Household.objects.bulk_create(chunk)
    result.households_created = len(fresh)
    known.update({h.number: h for chunk in _chunks([h.number for h in fresh], 5000) for h in Household.objects.filter(number__in=chunk)})
    person_ids = [people[r.id_number].pk for r in rows]
    current = {m.person_id: m for chunk in _chunks(person_ids, 5000)
               for m in Membership.objects.filter(person_id__in=chunk, left__isnull=True)}
    closing, changing, opening, heads = [], [], [], {}
    for r in rows:
        person, household = people[r.id_number], known[r.household]
        relationship = r.relationship or Relationship.OTHER
        m = current.get(person.pk)
        if m is not None and m.household_id == household.pk:
            if r.relationship and m.relationship != relationship:
                m.relationship = relationship
                changing.append(m)
        else:
            if m is not None:
                m.left = today
                closing.append(m)
            opening.append(Membership(household=household, person=person, relationship=relationship, joined=today))
        if relationship == Relationship.HEAD:
            heads[household.pk] = person.pk
    for chunk in _chunks(closing):
        Membership.objects.bulk_update(chunk, ["left"])
    for chunk in _chunks(changing):
        Membership.objects.bulk_update(chunk, ["relationship"])
    for chunk in _chunks(opening):
        Membership.objects.bulk_create(chunk)
    result.memberships = len(opening)
    if heads:
        # A new head: the previous head of that household stays a member as 其他.
        for chunk in _chunks(list(heads.items())):
            hs = [Household(pk=h, head_id=p) for h, p in chunk]
            Membership.objects.filter(Q(household_id__in=[h for h, _ in chunk]), left__isnull=True, relationship=Relationship.HEAD) \
                .exclude(person_id__in=[p for _, p in chunk]).update(relationship=Relationship.OTHER)
            Household.objects.bulk_update(hs, ["head"])


def _write_tags(user: User | None, clean: list[_Row], people: dict[str, Person], source: str, result: ImportResult) -> None:
    wanted = [(people[r.id_number].pk, kind, risk, r.valid_from) for r in clean for kind, risk in r.tags]
    if not wanted:
        return
    person_ids = sorted({w[0] for w in wanted})
    held: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]] = {}
    for chunk in _chunks(person_ids, 5000):
        for pid, kid, start, end in PersonTag.objects.filter(person_id__in=chunk).values_list("person_id", "kind_id", "valid_from", "valid_to"):
            held.setdefault((pid, kid), []).append((start, end))
    setter = user if user is not None and user.is_authenticated else None
    fresh = []
    for pid, kind, risk, start in wanted:
        periods = held.get((pid, kind.pk), [])
        if any(end is None or end > start for _, end in periods):
            result.tags_kept += 1  # already held then (or later): the history is not rewritten by an import
            continue
        fresh.append(PersonTag(person_id=pid, kind=kind, risk_type=risk, valid_from=start, source=source, set_by=setter))
        held.setdefault((pid, kind.pk), []).append((start, None))
    for chunk in _chunks(fresh):
        PersonTag.objects.bulk_create(chunk)
    result.tags_created = len(fresh)
