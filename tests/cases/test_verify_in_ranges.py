"""The full verify in id ranges (cases/verify_run.py): the same findings as one pass, resumable after an interruption,
and on PostgreSQL in parallel processes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng.cases import anchor, verify_run
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.verify import iter_problems

from .helpers import submit


def _county(world, n: int = 9) -> list[Case]:
    return [submit(world, title=f"第{i}件路灯不亮") for i in range(n)]


def _tamper(case: Case) -> None:
    CaseEvent.objects.filter(case=case, seq=1).update(note="改过的说明")


@pytest.mark.django_db
def test_ranges_find_what_one_pass_finds(world):
    cases = _county(world)
    anchor.create_anchor()
    _tamper(cases[4])
    gone = cases[7]
    CaseEvent.objects.filter(case=gone).delete()
    Case.objects.filter(pk=gone.pk).delete()
    one_pass = sorted(str(p) for p in iter_problems())
    result = verify_run.run_full(size=2)
    assert sorted(result.problems) == one_pass and result.broken == {cases[4].number, gone.number}
    assert result.checked == len(cases) - 1 and result.ranges == 5
    assert not (verify_run._progress_path()).exists()  # a finished run leaves no progress behind


@pytest.mark.django_db
def test_an_interrupted_run_resumes_where_it_stopped(world):
    cases = _county(world)
    _tamper(cases[-1])
    first = verify_run.run_full(size=3, stop_after=2, anchors=False)  # interrupted after two of three ranges
    assert first.ranges == 2 and first.checked == 6 and not first.broken
    seen: list[tuple[int, int]] = []
    second = verify_run.run_full(size=3, resume=True, anchors=False, on_range=lambda r: seen.append((r.lo, r.hi)))
    assert second.resumed == 2 and len(seen) == 1 and seen[0][1] == cases[-1].pk  # only the last range was read again
    assert second.checked == len(cases) and second.broken == {cases[-1].number}
    third = verify_run.run_full(size=3, resume=True, anchors=False)  # nothing to resume after a finished run
    assert third.resumed == 0 and third.checked == len(cases)


@pytest.mark.django_db
def test_progress_from_other_options_is_not_resumed(world):
    _county(world, 4)
    verify_run.run_full(size=2, stop_after=1, anchors=False)
    again = verify_run.run_full(size=2, resume=True, anchors=False, files=False)
    assert again.resumed == 0 and again.checked == 4


@pytest.mark.django_db
def test_the_command_runs_in_ranges_and_fails_on_a_problem(world, capsys):
    cases = _county(world, 3)
    call_command("verify", "--resume")
    assert "已分 1 段校验 3 件工单" in capsys.readouterr().out
    _tamper(cases[0])
    with pytest.raises(CommandError, match="1 / 3"):
        call_command("verify", "--jobs", "2")
    with pytest.raises(CommandError):
        call_command("verify", "--jobs", "0")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_processes_find_the_same_on_postgresql(world):
    cases = _county(world, 8)
    anchor.create_anchor()
    _tamper(cases[2])
    _tamper(cases[6])
    one_pass = sorted(str(p) for p in iter_problems())
    result = verify_run.run_full(size=2, jobs=2)
    assert sorted(result.problems) == one_pass and result.broken == {cases[2].number, cases[6].number}
    assert result.checked == 8 and result.ranges == 4
