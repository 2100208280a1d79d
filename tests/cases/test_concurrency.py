"""Real concurrent transactions on PostgreSQL: one winner, no half-writes, no duplicates."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jiceng.cases.actions import do_case_action, do_submit
from jiceng.cases.errors import CaseError, Conflict
from jiceng.cases.models import Case, CaseEvent, Category
from jiceng.cases.verify import iter_problems

from .helpers import handling_case, village_staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n: int, fn):
    """Run ``fn(i)`` in ``n`` threads released together; collect results or errors."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_people_acting_at_once_exactly_one_succeeds(world):
    assert connection.vendor == "postgresql"
    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    version = case.version
    results = _race(2, lambda i: do_case_action(case.number, "resolve" if i else "suspend", staff,
                                                 {"result": "已修", "note": "等材料"}, expected_version=version))
    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, CaseError)]
    assert len(winners) == 1 and len(losers) == 1 and isinstance(losers[0], Conflict)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.version == version + 1 and CaseEvent.objects.filter(case=fresh).count() == fresh.event_count
    assert list(iter_problems()) == []


def test_many_racing_notes_without_a_version_never_break_the_chain(world):
    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    results = _race(6, lambda i: do_case_action(case.number, "note", staff, {"note": f"进展{i}"}))
    ok = [r for r in results if isinstance(r, Case)]
    assert ok and all(isinstance(r, (Case, Conflict)) for r in results)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.event_count == 4 + len(ok)
    assert list(iter_problems()) == []


def test_a_retried_submission_with_the_same_key_makes_one_case(world):
    village = world.villages[-1]
    cat = Category.objects.get(code="minsheng-road")
    staff = village_staff(world, village.code)
    results = _race(4, lambda i: do_submit(user=staff, category=cat, area=village, title="路灯不亮", description="村口路灯坏了",
                                            reporter_name="李四", idempotency_key="hotline-ticket-8812"))
    assert all(isinstance(r, tuple) for r in results), results
    assert len({case.pk for case, _created in results}) == 1
    assert sum(created for _case, created in results) == 1
    assert Case.objects.filter(title="路灯不亮").count() == 1


def test_concurrent_submissions_get_distinct_consecutive_numbers(world):
    village = world.villages[-1]
    cat = Category.objects.get(code="minsheng-road")
    staff = village_staff(world, village.code)
    results = _race(8, lambda i: do_submit(user=staff, category=cat, area=village, title=f"诉求{i}", description="内容", reporter_name="王五")[0])
    numbers = sorted(r.number for r in results)
    assert len(set(numbers)) == 8
    seqs = [int(n.rsplit("-", 1)[1]) for n in numbers]
    assert seqs == list(range(seqs[0], seqs[0] + 8))
