"""Cases recorded before chain version 2 still verify, and a new event appended to them is version 2."""

from __future__ import annotations

import pytest

from jiceng.cases import chain, workflow
from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.verify import iter_problems

from .helpers import handling_case, village_staff

pytestmark = pytest.mark.django_db


def _as_version_one(case: Case) -> Case:
    """Rewrite a case's record as the code before version 2 wrote it (v1 digest, v1 event content, no marks)."""
    case.refresh_from_db()
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    submitted = events[0].payload["fields"]
    prev = chain.GENESIS
    for e in events:
        payload = e.payload
        if e.seq == 1:
            payload = {"level": payload["level"], "urgency": payload["urgency"], "deadline": payload["deadline"],
                       "content": chain.legacy_content_digest(case, submitted)}
        content = chain.event_content(case_number=case.number, seq=e.seq, action=e.action, from_state=e.from_state, to_state=e.to_state,
                                      actor_id=e.actor_id, at=e.at, unit_id=e.unit_id, note=e.note, payload=payload, version=1)
        h = chain.link_hash(prev, content)
        CaseEvent.objects.filter(pk=e.pk).update(payload=payload, prev_hash=prev, hash=h, marks="")
        prev = h
    Case.objects.filter(pk=case.pk).update(last_hash=prev)
    case.refresh_from_db()
    return case


def test_a_version_one_case_verifies_and_its_content_is_still_checked(world):
    case = _as_version_one(handling_case(world))
    assert list(iter_problems()) == []
    Case.objects.filter(pk=case.pk).update(title="改过的标题")
    problems = list(iter_problems())
    assert [(p.number, p.kind, p.columns) for p in problems] == [(case.number, "content", ("case",))]


def test_a_version_one_case_checks_creator_and_time_against_its_submit_event(world):
    case = _as_version_one(handling_case(world))
    Case.objects.filter(pk=case.pk).update(created_by=world.users["leader"])
    assert {c for p in iter_problems() for c in p.columns} == {"case.created_by_id"}


def test_a_new_event_on_a_version_one_case_is_version_two_and_covers_the_label(world):
    case = _as_version_one(handling_case(world))
    case = do_case_action(case, "resolve", village_staff(world, case.area_id), {"result": "已修好"})
    last = CaseEvent.objects.get(case=case, seq=case.event_count)
    assert last.marks and list(iter_problems()) == []
    CaseEvent.objects.filter(pk=last.pk).update(actor_label="冒名者")
    assert {c for p in iter_problems() for c in p.columns} == {"event.actor_label"}


def test_blanking_the_marks_does_not_downgrade_a_version_two_event(world):
    case = handling_case(world)
    CaseEvent.objects.filter(case=case, seq=2).update(marks="")
    problems = list(iter_problems())
    assert problems and problems[0].columns == ("event.marks",)


def test_replay_of_a_version_one_case_leaves_the_fields_to_the_digest():
    s = workflow.apply(workflow.Snapshot(), "submit", "submitted", {"level": "village", "deadline": None})
    assert s.fields is None
    s = workflow.apply(s.replace(state="handling"), "resolve", "resolved", {"result": "x", "fields": {"a": 1}})
    assert s.fields is None and s.result == "x"
