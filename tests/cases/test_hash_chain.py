"""The event record cannot be rewritten without `jiceng verify` noticing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.verify import iter_problems

from .helpers import handling_case, village_staff

pytestmark = pytest.mark.django_db


def _resolved(world) -> Case:
    case = handling_case(world)
    return do_case_action(case, "resolve", village_staff(world, case.area_id), {"result": "已修好"})


def test_each_event_links_to_its_predecessor(world):
    case = _resolved(world)
    events = list(case.events.order_by("seq"))
    assert events[0].prev_hash == ""
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
    assert case.last_hash == events[-1].hash
    assert list(iter_problems()) == []


def test_verify_reports_a_rewritten_note(world, capsys):
    case = _resolved(world)
    CaseEvent.objects.filter(case=case, action="resolve").update(note="篡改后的内容")
    problems = list(iter_problems())
    assert [(p.number, p.seq, p.kind) for p in problems] == [(case.number, case.event_count, "chain")]
    with pytest.raises(CommandError, match="1 / 1"):
        call_command("verify")
    assert case.number in capsys.readouterr().out


def test_verify_reports_a_deleted_last_event(world):
    case = _resolved(world)
    CaseEvent.objects.filter(case=case, seq=case.event_count).delete()  # queryset delete bypasses the model guard
    kinds = [p.kind for p in iter_problems()]
    assert kinds[0] == "chain" and set(kinds) <= {"chain", "state"}


def test_verify_reports_a_state_changed_behind_the_ledger(world):
    case = _resolved(world)
    Case.objects.filter(pk=case.pk).update(state="closed")
    problems = list(iter_problems())
    assert len(problems) == 1 and problems[0].kind == "state" and "state" in problems[0].detail


def test_events_refuse_to_be_saved_twice_or_deleted(world):
    event = _resolved(world).events.first()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
