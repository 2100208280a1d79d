"""Random action sequences through do_case_action: the database agrees with replay."""

from __future__ import annotations

import random

import pytest
from django.db import transaction

from jiceng.cases.actions import do_case_action
from jiceng.cases.errors import CaseError
from jiceng.cases.models import Case
from jiceng.cases.verify import iter_problems
from jiceng.cases.workflow import RULES

from .helpers import submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", range(6))
def test_random_actions_keep_the_chain_and_the_replay_intact(world, seed):
    rng = random.Random(seed)
    village = world.villages[-1]
    township = village.code[:9] + "000"
    people = [world.users[n] for n in (f"cun-{village.code}", f"tz-{township[6:9]}", "leader", "auditor", "resident-1", "county-transport")]
    case = submit(world, village=village)
    for _ in range(30):
        action = rng.choice(sorted(RULES))
        params = {"plan": "方案", "note": rng.choice(["说明", ""]), "result": "已办", "rating": rng.choice(["satisfied", "unsatisfied"]),
                  "decision": rng.choice(["reopen", "uphold"])}
        before = Case.objects.get(pk=case.pk)
        try:
            with transaction.atomic():
                case = do_case_action(case, action, rng.choice(people), params)
        except CaseError:
            after = Case.objects.get(pk=case.pk)
            assert (after.version, after.event_count) == (before.version, before.event_count)
    assert list(iter_problems()) == []
    if case.state == "closed":
        assert case.rating or case.rating_waiver
