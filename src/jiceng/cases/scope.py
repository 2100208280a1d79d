"""Scope as data the indexes can use: the units involved in a case, and an index-friendly IN.

``visible_cases_q`` ORs several conditions (area range, unit, grid, reporter,
the units that handled a case). PostgreSQL combines plain indexable
conditions with a BitmapOr, but an ``IN (subquery)`` inside an OR becomes a
filter evaluated row by row, and with ``ORDER BY id DESC LIMIT 51`` it walks
the whole primary key backwards. :class:`AnyOf` writes the subquery as
``id = ANY(ARRAY(subquery))`` on PostgreSQL: the subquery runs once (an
InitPlan) and its result is an index condition, so the OR stays a BitmapOr.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Expression, F, QuerySet, Subquery

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


class AnyOf(Expression):
    """``field IN (subquery)`` that PostgreSQL can use as an index condition inside an OR."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, field: str, queryset: QuerySet) -> None:
        super().__init__()
        self.lhs: Any = F(field)
        self.subquery: Any = Subquery(queryset)

    def get_source_expressions(self) -> list:
        return [self.lhs, self.subquery]

    def set_source_expressions(self, exprs: list) -> None:
        self.lhs, self.subquery = exprs

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        lhs, lhs_params = compiler.compile(self.lhs)
        sub, sub_params = compiler.compile(self.subquery)
        if not sub.startswith("("):
            sub = f"({sub})"
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{sub})", [*lhs_params, *sub_params]
        return f"{lhs} IN {sub}", [*lhs_params, *sub_params]


def handled_by(unit_ids: list[int]) -> AnyOf:
    """Cases any of ``unit_ids`` was ever involved in (dispatched, handling, escalated to)."""
    return AnyOf("pk", CaseUnit.objects.filter(unit_id__in=unit_ids).values("case_id"))
