"""Hypothesis drives random action sequences through the state machine.

The expected edges are written out here independently of workflow.RULES, so
a change to the machine that adds or removes a path fails this test.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.cases import workflow
from jiceng.cases.errors import CaseError
from jiceng.cases.states import State

S = State
LEGAL_EDGES = {
    ("accept", S.SUBMITTED, S.ACCEPTED), ("refuse", S.SUBMITTED, S.REFUSED), ("dispatch", S.ACCEPTED, S.DISPATCHED),
    ("return", S.DISPATCHED, S.ACCEPTED), ("return", S.HANDLING, S.ACCEPTED), ("claim", S.DISPATCHED, S.HANDLING),
    ("note", S.HANDLING, S.HANDLING), ("note", S.SUSPENDED, S.SUSPENDED),
    ("note", S.SUBMITTED, S.SUBMITTED), ("note", S.ACCEPTED, S.ACCEPTED), ("note", S.DISPATCHED, S.DISPATCHED), ("suspend", S.HANDLING, S.SUSPENDED),
    ("resume", S.SUSPENDED, S.HANDLING), ("escalate", S.ACCEPTED, S.DISPATCHED), ("escalate", S.DISPATCHED, S.DISPATCHED),
    ("escalate", S.HANDLING, S.DISPATCHED), ("resolve", S.HANDLING, S.RESOLVED), ("rate", S.RESOLVED, S.RATED),
    ("rate", S.RESOLVED, S.HANDLING), ("rate", S.RESOLVED, S.DISPUTED), ("waive_rating", S.RESOLVED, S.RATED),
    ("decide", S.DISPUTED, S.HANDLING), ("decide", S.DISPUTED, S.RATED), ("close", S.RATED, S.CLOSED),
    ("self_handle", S.SUBMITTED, S.HANDLING),
    # to the next tier's dispatch centre: it arrives accepted, waiting to be dispatched there
    ("escalate", S.ACCEPTED, S.ACCEPTED), ("escalate", S.DISPATCHED, S.ACCEPTED), ("escalate", S.HANDLING, S.ACCEPTED),
}
SELF_LOOPS = {"request_extension", "approve_extension", "reject_extension", "supervise", "take_ownership", "flag_reply_overdue"}
# The only actions that may set or move the date promised to the resident.
PROMISE_ACTIONS = {"accept", "self_handle", "approve_extension"}
MERGEABLE = {S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.SUSPENDED}

T0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
ACTORS = {
    "village": workflow.Actor(user_id=1, role="village_staff", level_rank=1, unit_ids=frozenset({10}), in_scope=True),
    "township": workflow.Actor(user_id=2, role="township_staff", level_rank=2, unit_ids=frozenset({20}), in_scope=True),
    "county": workflow.Actor(user_id=3, role="county_handler", unit_ids=frozenset({30})),
    "leader": workflow.Actor(user_id=4, role="supervisor", level_rank=3, in_scope=True),
    "centre": workflow.Actor(user_id=8, role="dispatch_centre", level_rank=3, unit_ids=frozenset({31}), in_scope=True),
    "resident": workflow.Actor(user_id=5, role="resident", is_reporter=True),
    "auditor": workflow.Actor(user_id=6, role="auditor", level_rank=3, in_scope=True),
    "stranger": workflow.Actor(user_id=7, role="village_staff", level_rank=1, unit_ids=frozenset({99}), in_scope=False),
}
UNIT_AT_NEXT = {"village": 20, "township": 30}


def _params(action: str, s: workflow.Snapshot, now: datetime, data) -> dict:
    later = now + timedelta(days=data.draw(st.integers(1, 30)))
    if s.deadline and action == "request_extension":
        later = s.deadline + timedelta(days=data.draw(st.integers(1, 10)))
    return {
        "plan": "方案", "note": data.draw(st.sampled_from(["理由", ""])), "deadline": later, "unit_id": UNIT_AT_NEXT.get(s.level, 10) if action == "escalate" else 10,
        "result": "结果", "rating": data.draw(st.sampled_from(["satisfied", "basic", "unsatisfied", "bogus"])),
        "decision": data.draw(st.sampled_from(["reopen", "uphold"])), "into": "2026-431102-000001",
        "via_centre": data.draw(st.booleans()) and s.level == "township",
        "reply_by": now + timedelta(days=2) if action == "supervise" else None,
    }


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_random_sequences_follow_only_legal_paths(data):
    s = workflow.Snapshot(state=S.SUBMITTED, level="village")
    log = [("submit", S.SUBMITTED, {"level": "village"}, "")]
    now = T0
    for _ in range(data.draw(st.integers(1, 40))):
        action = data.draw(st.sampled_from(sorted(workflow.RULES)))
        who = ACTORS[data.draw(st.sampled_from(sorted(ACTORS)))]
        now += timedelta(hours=data.draw(st.integers(1, 48)))
        try:
            to_state, payload, note = workflow.plan(s, action, _params(action, s, now, data), who, now)
        except CaseError:
            continue
        edge = (action, s.state, to_state)
        assert edge in LEGAL_EDGES or (action in SELF_LOOPS and to_state == s.state) or (action == "merge" and s.state in MERGEABLE and to_state == S.MERGED), edge
        assert who.role != "auditor", "auditors never act"
        before = s
        s = workflow.apply(s, action, to_state, payload, note)
        log.append((action, to_state, payload, note))
        if s.promised_at != before.promised_at:
            assert action in PROMISE_ACTIONS, f"{action} moved the date promised to the resident"
            assert before.promised_at is None or s.promised_at > before.promised_at, "a promise only moves later"
        if action == "escalate":
            assert s.promised_at == before.promised_at, "escalation keeps the resident's promised date"
        if s.state == S.ACCEPTED and action == "escalate":
            assert s.unit_id is None and s.level == "county", "via the centre: at county, waiting for its dispatch"
        if s.state == S.CLOSED:
            assert s.rating or s.rating_waiver, "a closed case carries a rating or a recorded waiver"
        assert s.reopen_count <= 2
    assert workflow.replay(log) == s  # the stored state always equals the replay of the events


def test_each_refusal_names_the_current_state_and_the_action():
    s = workflow.Snapshot(state=S.CLOSED, level="village")
    for action in workflow.RULES:
        try:
            workflow.plan(s, action, {}, ACTORS["leader"], T0)
        except CaseError as exc:
            assert "Closed" in exc.message or "已销号" in exc.message
        else:
            raise AssertionError(f"{action} was allowed on a closed case")
