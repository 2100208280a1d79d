"""Case.next_due_at: the domain keeps the instant of a case's next deadline consequence, and tick reads only due cases."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection

from jiceng.cases import sla
from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case
from jiceng.cases.sla import SHANGHAI
from jiceng.cases.tick import run_tick

from .helpers import submit, village_staff

pytestmark = pytest.mark.django_db


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


MON = sh(2026, 3, 2, 9)


def _handling(world) -> Case:
    case = submit(world, now=MON)
    staff = village_staff(world, case.area_id)
    for action, params in (("accept", {"plan": "限期处理"}), ("dispatch", {}), ("claim", {})):
        case = do_case_action(case, action, staff, params, now=MON + timedelta(hours=1))
    return case


def test_subtracting_working_time_mirrors_adding_it():
    for end in (sh(2026, 3, 9, 17, 30), sh(2026, 3, 10, 9, 0), sh(2026, 10, 8, 15, 0), sh(2026, 3, 9, 13, 0)):
        for seconds in (1, 3600, 4 * 3600, 23_400, 3 * 23_400 + 60):
            start = sla.subtract_working_time(end, seconds)
            assert sla.working_seconds_between(start, end) == seconds
            assert sla.add_working_time(start, seconds) <= end


def test_accepting_sets_the_due_soon_instant_and_tick_reads_nothing_before_it(world):
    case = _handling(world)  # due Monday 9 March 17:30 (5 working days)
    assert case.deadline == sh(2026, 3, 9, 17, 30)
    assert sh(2026, 3, 6, 17, 30) < case.next_due_at < case.deadline, "a fifth of 5 working days before: Monday morning"
    before = run_tick(case.next_due_at - timedelta(minutes=1))
    assert before.scanned == 0 and before.recorded == 0, "no case due: nothing read"
    at = run_tick(case.next_due_at + timedelta(seconds=2))
    assert at.scanned == 1 and at.done["due_soon"] == 1


def test_tick_moves_the_instant_to_the_next_consequence_and_clears_it_at_the_end(world):
    case = _handling(world)
    run_tick(sh(2026, 3, 9, 9))
    assert Case.objects.get(pk=case.pk).next_due_at == case.deadline + timedelta(microseconds=1), "next: overdue"
    run_tick(sh(2026, 3, 9, 18))
    assert Case.objects.get(pk=case.pk).next_due_at == sh(2026, 3, 10, 15), "next: supervised after 4 working hours"
    run_tick(sh(2026, 3, 10, 15))
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.next_due_at == fresh.reply_by + timedelta(microseconds=1), "next: the supervision's reply date"
    run_tick(sh(2026, 3, 30, 9))
    assert Case.objects.get(pk=case.pk).next_due_at is None, "a road complaint is never escalated: nothing left"
    assert run_tick(sh(2026, 4, 30, 9)).scanned == 0


def test_suspending_and_resolving_clear_it(world):
    case = _handling(world)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "suspend", staff, {"note": "等待材料"}, now=sh(2026, 3, 3, 9))
    assert case.next_due_at is None
    case = do_case_action(case, "resume", staff, {}, now=sh(2026, 3, 4, 9))
    assert case.next_due_at is not None and case.next_due_at < case.deadline
    case = do_case_action(case, "resolve", staff, {"result": "已修好"}, now=sh(2026, 3, 4, 10))
    assert case.next_due_at is None


@pytest.mark.postgres
def test_the_tick_scan_is_an_index_range_on_postgresql(world):
    _handling(world)
    qs = Case.objects.filter(next_due_at__lte=sh(2026, 3, 9, 9)).order_by("next_due_at", "pk")[:500]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "case_next_due" in plan and "Seq Scan" not in plan, plan
