"""Two ``tick`` runs at once on PostgreSQL: each consequence exactly once, the ledger intact."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from django.db import connection

from jiceng.cases.models import Case, CaseEvent, SlaMark
from jiceng.cases.sla import SHANGHAI
from jiceng.cases.tick import run_tick
from jiceng.cases.verify import iter_problems

from .test_concurrency import _race
from .test_tick import handling, submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("runners", [2, 4])
def test_concurrent_ticks_record_each_consequence_once(world, runners):
    assert connection.vendor == "postgresql"
    cases = [handling(world) for _i in range(4)]
    cases += [handling(world, category="jiufen-land", fields={"parties": ["甲", "乙"]}) for _i in range(4)]
    cases += [submit(world, now=datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)) for _i in range(2)]
    now = datetime(2026, 3, 25, 9, tzinfo=SHANGHAI)
    results = _race(runners, lambda i: run_tick(now, batch=3))
    assert not [r for r in results if isinstance(r, Exception)], results
    per_case = Counter(CaseEvent.objects.filter(seq__gt=1, actor__isnull=True).values_list("case_id", "action"))
    assert per_case and all(n == 1 for n in per_case.values()), per_case
    assert sum(r.recorded for r in results) == SlaMark.objects.count() == sum(per_case.values())
    # 4 roads + 2 waiting: overdue + supervise; 4 disputes: overdue + supervise + escalate
    assert SlaMark.objects.count() == 6 * 2 + 4 * 3
    assert Case.objects.filter(level="township").count() == 4
    assert run_tick(now).recorded == 0
    assert list(iter_problems()) == []
