"""The registry of people as a source for the subsidy and the roster check (应保尽保).

Who was 特困, 低保 or a 防返贫监测对象 on a day is read from the registry's tags
(``jiceng.people``) when the registry holds the person; spreadsheets remain for
outside lists (the insured roster of 医保, another office's list). Everything is
read through ``people.access``: the viewer's scope decides whom they get, and
ID numbers handed over in full are logged as reveals there.

Django glue like :mod:`.services`; the engine modules (:mod:`.roster`,
:mod:`.subsidy`) stay free of Django.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from jiceng.people import access as people_access
from jiceng.people.actions import clean_date
from jiceng.people import identity
from jiceng.people.idnumber import normalise_id_number
from jiceng.people.masking import mask_id_number, mask_name
from jiceng.people.models import Person
from jiceng.sealed import sealing_batch

from .categories import DIBAO, MONITORED, ORDINARY, TEKUN
from .roster import RowProblem, check_roster
from .tables import COLUMN_LABELS, INSURED_SHEET, RosterReport, Table, cell_problem, find_columns, read_insured, read_vulnerable

#: Registry tag kind → insurance category, strongest first: a person holding two tags counts once, by the first.
TAG_CATEGORIES: tuple[tuple[str, str], ...] = (("tekun", TEKUN), ("dibao", DIBAO), ("monitored", MONITORED))
#: Where a row came from, as the results say it.
REGISTRY = "registry"
LIST = "list"
#: The purpose recorded with each reveal of a roster check.
REVEAL_PURPOSE = "应保尽保核对"


def check_day(value: Any) -> dt.date:
    """The day the registry's tags are read on: the given date (Chinese error when it is not one), else today."""
    return clean_date(value, "on", "核对日期", required=False) or timezone.localdate()


@dataclass(frozen=True)
class RegisteredPerson:
    """A person of the registry with the category their tags give on the day."""

    person: Person
    id_number: str
    category: str

    @property
    def village_code(self) -> str:
        return self.person.area_id or ""


def registered_categories(user: Any, day: dt.date) -> list[RegisteredPerson]:
    """The people ``user`` may read who held a vulnerable tag on ``day``, each once with the strongest category."""
    rank = {code: i for i, (code, _c) in enumerate(TAG_CATEGORIES)}
    best: dict[int, tuple[int, Person]] = {}
    held = people_access.visible_tags_held_of(user, list(rank), day).only(
        "kind__code", "person__id", "person__name", "person__id_number", "person__area_id", "person__grid_id")
    with sealing_batch():  # one key ring for the ID numbers of a county's roster
        for tag in held.iterator(chunk_size=2000):
            order = rank[tag.kind.code]
            if tag.person_id not in best or order < best[tag.person_id][0]:
                best[tag.person_id] = (order, tag.person)
        out = [RegisteredPerson(person, identity.id_number_of(person), TAG_CATEGORIES[order][1])
               for order, person in best.values()]
    out.sort(key=lambda r: (r.village_code, r.person.pk))
    return out


def registered_by_id_number(user: Any, id_numbers: Iterable[str], day: dt.date) -> dict[str, RegisteredPerson]:
    """The people of ``id_numbers`` the registry holds and ``user`` may read, with their category on ``day``
    (``ordinary`` without a vulnerable tag): what the registry says of an outside list's rows."""
    wanted = sorted({n for n in id_numbers if n})
    if not wanted:
        return {}
    found: dict[str, RegisteredPerson] = {}
    rank = {code: i for i, (code, _c) in enumerate(TAG_CATEGORIES)}
    for start in range(0, len(wanted), 2000):
        chunk = wanted[start:start + 2000]
        people = list(people_access.visible_people(user).filter(identity.by_id_numbers_q(chunk)))
        tags: dict[int, int] = {}
        held = people_access.visible_tags_held_of(user, list(rank), day).filter(person__in=people)
        for person_id, code in held.values_list("person_id", "kind__code"):
            tags[person_id] = min(tags.get(person_id, len(rank)), rank[code])
        for person in people:
            order = tags.get(person.pk)
            category = TAG_CATEGORIES[order][1] if order is not None else ORDINARY
            number = identity.id_number_of(person)
            found[number] = RegisteredPerson(person, number, category)
    return found


def check_roster_with_registry(
    user: Any, day: dt.date, insured_ids: Iterable[str],
    listed_rows: Iterable[tuple[int, Mapping[str, Any]]] = (),
) -> tuple[dict[str, list[dict[str, Any]]], list[RowProblem], int]:
    """应保尽保 against the registry and an optional outside list.

    The registry's vulnerable people of the viewer's scope on ``day`` are checked first; a listed row whose person
    the registry holds is left to the registry (its tags decide, so the person is checked once); the other rows are
    checked as the list says. Returns ``(missing_by_village, problems, checked)``; registry rows carry
    ``source="registry"`` and ``person_id`` (row 0), listed rows ``source="list"``.
    """
    insured = {normalise_id_number(n) for n in insured_ids}
    registered = registered_categories(user, day)
    missing: dict[str, list[dict[str, Any]]] = {}
    for entry in registered:
        if entry.id_number and entry.id_number not in insured:
            missing.setdefault(entry.village_code, []).append({
                "row": 0, "id_number": entry.id_number, "name": entry.person.name, "category": entry.category,
                "source": REGISTRY, "person_id": entry.person.pk})
    rows = list(listed_rows)
    held = set(registered_by_id_number(user, [normalise_id_number(r.get("id_number")) for _n, r in rows], day))
    outside = [(n, r) for n, r in rows if normalise_id_number(r.get("id_number")) not in held]
    listed_missing, problems = check_roster(insured, outside)
    for village, people in listed_missing.items():
        missing.setdefault(village, []).extend({**p, "source": LIST} for p in people)
    checked = len(registered) + len(outside)
    return {v: missing[v] for v in sorted(missing)}, problems, checked


def shown_missing(user: Any, missing: Mapping[str, list[dict[str, Any]]],
                  may_see_list: Any) -> dict[str, list[dict[str, Any]]]:
    """The roster check's people as ``user`` may see them: registry people through ``people.access`` (revealed to a
    viewer with a need, each reveal logged; masked otherwise), listed people by ``may_see_list(village_code)``.
    Each row gets ``masked``."""
    ids = [p["person_id"] for rows in missing.values() for p in rows if p.get("source") == REGISTRY]
    people = list(Person.objects.filter(pk__in=ids).only("id", "area_id", "grid_id")) if ids else []
    revealed = people_access.reveal_listed(user, people, REVEAL_PURPOSE) if people else set()
    out: dict[str, list[dict[str, Any]]] = {}
    for village, rows in missing.items():
        village_full = None
        shown = []
        for p in rows:
            if p.get("source") == REGISTRY:
                full = p["person_id"] in revealed
            else:
                if village_full is None:
                    village_full = bool(may_see_list(village))
                full = village_full
            shown.append({**p, "masked": not full, "name": p["name"] if full else mask_name(p["name"]),
                          "id_number": p["id_number"] if full else mask_id_number(p["id_number"])})
        out[village] = shown
    return out


def subsidy_people(user: Any, day: dt.date,
                   listed_rows: Iterable[tuple[int, Mapping[str, Any]]] | None = None) -> list[tuple[int, dict[str, Any]]]:
    """The numbered rows the subsidy is computed on.

    Without a list: every person of the viewer's registry with a village, by their tags on ``day`` (row numbers from 1,
    ordinary people included). With a list: its rows, a row whose person the registry holds taking the registry's
    village and category (``source`` says which); ID numbers of registry rows are masked (totals need none).
    """
    if listed_rows is None:
        registered = {r.person.pk: r.category for r in registered_categories(user, day)}
        people = people_access.visible_people(user).filter(area__isnull=False).only("id", "name", "area_id").order_by("area_id", "id")
        return [(i, {"village_code": p.area_id, "category": registered.get(p.pk, ORDINARY), "name": mask_name(p.name),
                     "source": REGISTRY}) for i, p in enumerate(people.iterator(chunk_size=2000), start=1)]
    rows = list(listed_rows)
    held = registered_by_id_number(user, [normalise_id_number(r.get("id_number")) for _n, r in rows], day)
    out = []
    for number, row in rows:
        entry = held.get(normalise_id_number(row.get("id_number")))
        if entry is not None and entry.village_code:
            row = {**row, "village_code": entry.village_code, "category": entry.category,
                   "id_number": mask_id_number(entry.id_number), "source": REGISTRY}
        else:
            row = {**row, "source": LIST}
        out.append((number, row))
    return out


def roster_report(user: Any, day: dt.date, insured: Table, vulnerable: Table | None) -> RosterReport:
    """The roster check (:class:`RosterReport`) of an insured roster table against the registry on ``day``
    and, when given, an outside list table; problems named by sheet, row and column as the spreadsheet check does."""
    ids, problems = read_insured(insured)
    rows: list[tuple[int, dict[str, Any]]] = []
    if vulnerable is not None:
        rows, type_problems = read_vulnerable(vulnerable)
        problems.extend(type_problems)
    missing, row_problems, checked = check_roster_with_registry(user, day, ids, rows)
    if vulnerable is not None:
        cols = find_columns(vulnerable, list(COLUMN_LABELS), [])
        problems.extend(cell_problem(vulnerable, cols, p) for p in row_problems)
    problems.sort(key=lambda p: (p.sheet != INSURED_SHEET, p.row))
    return RosterReport(missing, problems, insured_count=len(ids), checked_count=checked,
                        extra={"day": day, "registry": True})
