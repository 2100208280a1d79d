"""The unit scope table (CaseUnit): every unit an event names is recorded with the event, and a unit keeps reading its cases.

The scope table replaces an IN-subquery over the whole event log in
``visible_cases``; these tests pin that it says exactly what the log says.
"""

from __future__ import annotations

import pytest
from django.db import connection

from jiceng.cases.access import visible_cases
from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case, CaseEvent, CaseUnit

from .helpers import handling_case, village_staff

pytestmark = pytest.mark.django_db


def _units_in_events(case: Case) -> set[int]:
    return set(CaseEvent.objects.filter(case=case, unit__isnull=False).values_list("unit_id", flat=True))


def _units_in_scope(case: Case) -> set[int]:
    return set(CaseUnit.objects.filter(case=case).values_list("unit_id", flat=True))


def _at_a_department(world):
    case = handling_case(world, category="jiufen-land", fields={"parties": ["李建国", "王志勇"]})
    case = do_case_action(case, "escalate", village_staff(world, case.area_id), {"note": "村调解不成"})
    tz = world.users[f"tz-{case.area_id[6:9]}"]
    case = do_case_action(case, "claim", tz, {})
    department = world.unit("natural_resources", world.county.code)
    return do_case_action(case, "escalate", tz, {"note": "直接交自然资源局", "unit_id": department.pk}), department


def test_every_unit_an_event_names_is_in_the_scope_table(world):
    case, department = _at_a_department(world)
    assert len(_units_in_events(case)) == 3  # village committee, township, county department
    assert _units_in_scope(case) == _units_in_events(case)
    assert department.pk in _units_in_scope(case)


def test_a_department_keeps_reading_a_case_it_returned(world):
    case, department = _at_a_department(world)
    handler = world.users["county-natural_resources"]
    assert handler.scope_area_id is None, "reads by unit only"
    case = do_case_action(case, "return", handler, {"note": "不属于本单位职责"})
    assert case.unit_id != department.pk
    assert visible_cases(handler).filter(pk=case.pk).exists()


def test_a_unit_never_involved_does_not_read_the_case(world):
    case, _department = _at_a_department(world)
    assert not visible_cases(world.users["county-civil_affairs"]).filter(pk=case.pk).exists()


def test_the_migration_backfills_what_the_events_say(world):
    case, _department = _at_a_department(world)
    CaseUnit.objects.all().delete()
    from importlib import import_module

    backfill = import_module("jiceng.cases.migrations.0009_case_unit_scope").Migration.operations[-1].sql
    with connection.cursor() as cur:
        cur.execute(backfill)
    assert _units_in_scope(case) == _units_in_events(case)


@pytest.mark.postgres
def test_a_unit_list_reads_the_scope_table_once_not_the_event_log_on_postgresql(world):
    """The unit branch is one hashed subplan over the scope table's index; the event log is not read."""
    case, _department = _at_a_department(world)
    qs = visible_cases(world.users["county-natural_resources"]).order_by("-pk")[:51]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "hashed SubPlan" in plan and "case_unit_once" in plan, plan
    assert "cases_caseevent" not in plan, plan
