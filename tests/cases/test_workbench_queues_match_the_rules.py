"""A case is in a user's action queue exactly when the state machine offers that user the queue's action.

The queues are database filters written from workflow.RULES; this test asks
access.allowed_action_names case by case over a generated county and compares.
"""

from __future__ import annotations

from datetime import datetime, timezone as tz

import pytest

from jiceng.cases import access, workbench
from jiceng.cases.models import Case
from jiceng.demo.cases import generate_cases

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 10, tzinfo=tz.utc)


def _sample_users(world):
    names = ["admin", "leader", "auditor", "county-centre", "county-civil_affairs", "resident-1", "resident-2"]
    names += sorted(n for n in world.users if n.startswith(("cun-", "tz-", "grid-")))[:8]
    return [world.users[n] for n in names if n in world.users]


def test_action_queues_hold_exactly_the_cases_the_rules_allow(world):
    generate_cases(world, 400, seed=5, now=NOW)
    cases = list(Case.objects.select_related("category", "area", "unit"))
    checked = 0
    for user in _sample_users(world):
        visible = set(access.visible_cases(user).values_list("pk", flat=True))
        for queue, qs in workbench.queues(user):
            if queue.action is None:
                continue
            in_queue = set(qs.values_list("pk", flat=True))
            allowed = {c.pk for c in cases if c.pk in visible and queue.action in access.allowed_action_names(user, c)}
            assert in_queue == allowed, (user.username, queue.key, sorted(in_queue ^ allowed)[:5])
            checked += len(allowed)
    assert checked > 50, "the generated county must put work in the queues"


def test_each_working_role_has_a_queue(world):
    for name in ["leader", "county-centre", "county-civil_affairs", "resident-1"]:
        assert workbench.queues(world.users[name]), name
    assert [q.key for q, _qs in workbench.queues(world.users["resident-1"])] == ["rate", "mine"]
    leader_keys = [q.key for q, _qs in workbench.queues(world.users["leader"])]
    assert {"decide", "close", "supervised", "owned", "overdue"} <= set(leader_keys)
