"""Scope as data the indexes can use: the keys under which a case may be read beyond its place (``cases_casescope``).

A case is readable by the staff of its area (its code range on the case
table), and under the keys of its grid, the people who filed it and every
unit ever involved in it; a user reads under the keys of their own units,
grids and self. Written so each list starts from the user's own share
instead of an OR over several columns, which made PostgreSQL walk the whole
primary key or scan the whole table whenever the share was small
(docs/scaling.md, docs/benchmarks.md):

- a unit, grid or person reader: one semi-join on the unique index (key, case);
- an area reader: the area's code range, plus the few cases their keys reach
  outside the area, found through the index (key, area_id) and listed by id.

Keys: ``g`` + grid id; ``p`` + user id of the reporter and of the filer;
``u`` + unit id.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from jiceng.areas import codes
from jiceng.areas.models import subtree_q

from .models import Case, CaseScope

def unit_key(unit_id: int) -> str:
    return f"u{unit_id}"


def grid_key(grid_id: int) -> str:
    return f"g{grid_id}"


def person_key(user_id: int) -> str:
    return f"p{user_id}"


def case_keys(case: Case) -> set[str]:
    """Every key a case is readable under from its own columns (its grid, filers, current unit)."""
    keys = {grid_key(case.grid_id)} if case.grid_id else set()
    keys |= {person_key(u) for u in (case.reporter_id, case.created_by_id) if u}
    keys |= {unit_key(case.unit_id)} if case.unit_id else set()
    return keys


def _write(triples: Iterable[tuple[str, int, str]]) -> None:
    rows = [CaseScope(key=k, case_id=c, area_id=a) for k, c, a in sorted(set(triples))]
    if rows:
        CaseScope.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)


def record_event_scope(case: Case, unit_id: int | None, first: bool) -> None:
    """Called by the event writer for each event, in its transaction.

    The first event records the case's own keys; a later one only the unit
    it names (a unit already recorded costs an INSERT … ON CONFLICT DO NOTHING;
    an event without a unit costs nothing).
    """
    keys = case_keys(case) if first else set()
    if unit_id is not None:
        keys.add(unit_key(unit_id))
    _write((k, case.pk, case.area_id) for k in keys)


def record_cases_scope(cases: Iterable[Case], units: Iterable[tuple[int, int]] = ()) -> None:
    """Bulk form for loaders that write cases and events in bulk: the cases' own keys and ``{(case_id, unit_id)}``."""
    cases = list(cases)
    area_of = {c.pk: c.area_id for c in cases}
    triples = [(k, c.pk, c.area_id) for c in cases for k in case_keys(c)]
    triples += [(unit_key(u), c, area_of[c]) for c, u in units]
    _write(triples)


BEYOND_LIMIT = 1000  # cases outside an area reader's area listed by id; more than this and the semi-join is kept


def area_and_beyond(prefix: str, keys: Iterable[str]) -> Q:
    """An area reader's cases: the area's code range, plus what ``keys`` reach outside it, listed by id.

    The range is one index condition the planner estimates well and combines
    with the case table's other indexes (state, deadline, category); the
    cases a reader reaches outside their area (a unit's case in a
    neighbouring village, their own report elsewhere) are few, so they come
    as an id list rather than as a subquery that no index can combine with.
    """
    area = subtree_q("area_id", prefix)
    low, high = codes.subtree_bounds(prefix)
    outside = Q(area_id__lt=low) | Q(area_id__gte=high)
    beyond = list(
        CaseScope.objects.filter(outside, key__in=sorted(set(keys))).values_list("case_id", flat=True).distinct()[: BEYOND_LIMIT + 1]
    )
    if len(beyond) > BEYOND_LIMIT:
        return area | readable_under(keys)
    return area | Q(pk__in=sorted(beyond)) if beyond else area


LISTED_LIMIT = 5000  # a share up to this size is handed to the planner as a list of ids


def readable_under(keys: Iterable[str]) -> Q:
    """Cases readable under any of ``keys``.

    A share of up to LISTED_LIMIT cases (a department, a grid, a resident)
    is read from the scope index once and given as a list of ids, so the
    planner knows its size and fetches exactly those rows; as a subquery it
    guesses, and may walk the whole primary key hoping to meet them early
    (measured: 620 ms instead of 5 ms for a department's 办理中 list at 10⁶).
    A larger share stays a semi-join on the unique index (key, case).
    """
    under = CaseScope.objects.filter(key__in=sorted(set(keys)))
    ids = list(under.values_list("case_id", flat=True).distinct()[: LISTED_LIMIT + 1])
    if len(ids) <= LISTED_LIMIT:
        return Q(pk__in=sorted(ids))
    return Q(pk__in=under.values("case_id"))
