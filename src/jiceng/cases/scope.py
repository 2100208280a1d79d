"""Scope as data the indexes can use: the units involved in a case (the unit scope table).

``visible_cases_q`` ORs several conditions (area range, unit, grid, reporter,
the units that ever handled a case). The last one reads ``cases_caseunit``
(one row per unit and case, unique index on (unit, case)) instead of the
whole event log: PostgreSQL runs it once as a hashed subplan from an
index-only scan, so each row the list reads costs one hash probe.

Measured at 10⁶ cases (docs/benchmarks.md): writing it instead as
``id = ANY(ARRAY(subquery))`` lets the planner use a BitmapOr, but where it
still walks the primary key it probes the array linearly per row, 4–7×
slower than the hashed subplan; so the plain IN stays.
"""

from __future__ import annotations

from django.db.models import Q

from .models import Case, CaseUnit


def involve_unit(case: Case, unit_id: int | None) -> None:
    """Record that ``unit_id`` is involved in ``case`` (in the caller's transaction).

    Called by the event writer for every event; a unit already recorded (the
    case's current unit always is) costs no statement.
    """
    if unit_id is None or unit_id == case.unit_id:
        return
    CaseUnit.objects.bulk_create([CaseUnit(case_id=case.pk, unit_id=unit_id)], ignore_conflicts=True)


def record_units(pairs: set[tuple[int, int]]) -> None:
    """Bulk form of :func:`involve_unit` for loaders that write events in bulk: ``{(case_id, unit_id)}``."""
    if pairs:
        CaseUnit.objects.bulk_create([CaseUnit(case_id=c, unit_id=u) for c, u in sorted(pairs)], ignore_conflicts=True, batch_size=5000)


def handled_by(unit_ids: list[int]) -> Q:
    """Cases any of ``unit_ids`` was ever involved in (dispatched, handling, escalated to)."""
    return Q(pk__in=CaseUnit.objects.filter(unit_id__in=unit_ids).values("case_id"))
