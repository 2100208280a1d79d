"""``jiceng verify --changed-since-anchor``: after the anchor log checks out, only chains whose head moved are read in full.

What it finds: a chain that grew, a new case, a rolled-back or rewritten head
(the head no longer equals the anchored one, so the case is read and the
anchor check names it), a deleted case, a changed anchor log. What it leaves
to the full run, by design: an old event rewritten below an unchanged head.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng.cases import anchor
from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.verify import Coverage, iter_problems

from .helpers import handling_case, submit, village_staff
from .test_anchor import _recompute

pytestmark = pytest.mark.django_db


def _changed_only() -> tuple[list, Coverage]:
    coverage = Coverage()
    return list(iter_problems(changed_only=True, coverage=coverage)), coverage


def test_it_reads_only_the_cases_whose_head_moved(world, capsys):
    quiet = [submit(world, title=f"锚定前第{i}件") for i in range(4)]
    moving = handling_case(world)
    anchor.create_anchor()
    do_case_action(moving, "resolve", village_staff(world, moving.area_id), {"result": "已修好"})
    new = submit(world, title="锚定之后的新工单")
    problems, coverage = _changed_only()
    assert problems == []
    assert coverage.checked == 2 and coverage.vouched == len(quiet)
    call_command("verify", "--changed-since-anchor")
    assert "2 件" in capsys.readouterr().out
    assert new.number and Case.objects.count() == 6


def test_a_rolled_back_head_is_read_and_named(world):
    case = handling_case(world)
    case = do_case_action(case, "resolve", village_staff(world, case.area_id), {"result": "已修好"})
    submit(world, title="另一件")
    anchor.create_anchor()
    CaseEvent.objects.filter(case=case, seq=case.event_count).delete()
    _recompute(case)
    problems, coverage = _changed_only()
    assert coverage.checked == 1
    assert [(p.number, p.kind) for p in problems] == [(case.number, "anchor")] and "截断" in problems[0].detail
    with pytest.raises(CommandError):
        call_command("verify", "--changed-since-anchor")


def test_a_deleted_case_is_named(world):
    gone = submit(world)
    submit(world, title="留下的工单")
    anchor.create_anchor()
    CaseEvent.objects.filter(case=gone).delete()
    Case.objects.filter(pk=gone.pk).delete()
    problems, coverage = _changed_only()
    assert [(p.number, p.kind) for p in problems] == [(gone.number, "anchor")]
    assert coverage.checked == 0


def test_an_old_event_rewritten_below_an_unchanged_head_is_left_to_the_full_run(world):
    case = handling_case(world)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "note", staff, {"note": "已联系供电所"})
    note_seq = case.event_count
    do_case_action(case, "resolve", staff, {"result": "已修好"})
    anchor.create_anchor()
    CaseEvent.objects.filter(case=case, seq=note_seq).update(note="从未联系任何人")
    assert _changed_only()[0] == []  # the head still equals the anchored one
    assert {p.number for p in iter_problems()} == {case.number}  # the full run reads every chain


def test_it_needs_an_anchor_log(world):
    submit(world)
    with pytest.raises(CommandError):
        call_command("verify", "--changed-since-anchor", "--skip-anchors")
    problems, coverage = _changed_only()  # never anchored: everything is read in full
    assert problems == [] and coverage.checked == 1 and coverage.vouched == 0
