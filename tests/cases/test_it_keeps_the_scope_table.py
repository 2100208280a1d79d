"""The scope table (CaseScope): a case's own keys and every unit an event names are recorded with the events.

``visible_cases`` is one semi-join on this table; these tests pin that it
says exactly what the case's columns and its event log say.
"""

from __future__ import annotations

import pytest
from django.db import connection

from jiceng.cases.access import visible_cases
from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case, CaseEvent, CaseScope
from jiceng.cases.scope import case_keys

from .helpers import handling_case, village_staff

pytestmark = pytest.mark.django_db


def _units_in_events(case: Case) -> set[int]:
    return set(CaseEvent.objects.filter(case=case, unit__isnull=False).values_list("unit_id", flat=True))


def _units_in_scope(case: Case) -> set[int]:
    return {int(k[1:]) for k in CaseScope.objects.filter(case=case, key__startswith="u").values_list("key", flat=True)}


def _keys(case: Case) -> set[str]:
    return set(CaseScope.objects.filter(case=case).values_list("key", flat=True))


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


def test_a_case_is_read_under_its_grid_filers_and_units_with_its_place_beside(world):
    case, _department = _at_a_department(world)
    assert set(CaseScope.objects.filter(case=case).values_list("area_id", flat=True)) == {case.area_id}
    expected = {f"p{case.created_by_id}"}
    expected |= {f"g{case.grid_id}"} if case.grid_id else set()
    expected |= {f"p{case.reporter_id}"} if case.reporter_id else set()
    expected |= {f"u{u}" for u in _units_in_events(case)}
    assert _keys(case) == expected
    assert case_keys(case) <= _keys(case)


def test_the_migration_backfills_what_the_cases_and_events_say(world):
    """The backfill reads the cases' columns and the old unit table; here the units come from the events."""
    case, _department = _at_a_department(world)
    before = _keys(case)
    from importlib import import_module

    backfill = import_module("jiceng.cases.migrations.0011_case_scope").BACKFILL.replace(
        "FROM cases_caseunit u", "FROM cases_caseevent u").replace("ON c.id = u.case_id", "ON c.id = u.case_id WHERE u.unit_id IS NOT NULL")
    CaseScope.objects.all().delete()
    with connection.cursor() as cur:
        cur.execute(backfill)
    assert _keys(case) == before
    assert set(CaseScope.objects.filter(case=case).values_list("area_id", flat=True)) == {case.area_id}


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cur.fetchall())


@pytest.mark.postgres
def test_lists_start_from_the_users_share_on_postgresql(world):
    """A unit reads one condition on the scope index; an area reader its code range; nobody reads the event log or a subplan."""
    case, _department = _at_a_department(world)
    from jiceng.cases import scope

    department = world.users["county-natural_resources"]
    listed = _plan(visible_cases(department).order_by("-pk")[:51])
    assert "cases_casescope" not in listed and "cases_caseevent" not in listed and " OR " not in listed, listed
    scope.LISTED_LIMIT, before = 0, scope.LISTED_LIMIT  # a share too big to list: the semi-join on the scope index
    try:
        joined = _plan(visible_cases(department).order_by("-pk")[:51])
    finally:
        scope.LISTED_LIMIT = before
    assert "cases_casescope" in joined and "Index" in joined and "cases_caseevent" not in joined and " OR " not in joined, joined
    for username in (f"tz-{case.area_id[6:9]}", f"cun-{case.area_id}"):
        plan = _plan(visible_cases(world.users[username]).filter(state="handling").order_by("-pk")[:51])
        assert "SubPlan" not in plan and "cases_caseevent" not in plan and "area_id" in plan, plan
