"""The demo county: realistic, consistent with the state machine, deterministic."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest
from django.core.management import call_command

from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.verify import iter_problems
from jiceng.demo.cases import generate_cases

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 8, tzinfo=timezone.utc)


def _fingerprint():
    return list(Case.objects.order_by("number").values_list("number", "title", "state", "category__code", "area_id", "last_hash"))


def test_generated_histories_verify_and_cover_the_loop(world):
    assert generate_cases(world, 600, seed=3, now=NOW) == 600
    assert list(iter_problems()) == []
    states = Counter(Case.objects.values_list("state", flat=True))
    assert states["closed"] > 250 and states["handling"] + states["dispatched"] + states["accepted"] > 0
    actions = set(CaseEvent.objects.values_list("action", flat=True))
    assert actions >= {"submit", "accept", "dispatch", "claim", "escalate", "resolve", "rate", "close", "refuse"}
    assert Case.objects.filter(level="county").exists() and Case.objects.filter(resolved_level="township").exists()
    assert Case.objects.filter(deadline__lt=NOW, state__in=["dispatched", "handling"]).exists(), "some cases are overdue"
    months = {c.astimezone(timezone.utc).strftime("%Y-%m") for c in Case.objects.values_list("created_at", flat=True)}
    assert len(months) >= 10, "spread over the year up to today"
    assert all(c.created_at <= NOW for c in Case.objects.all())


def test_the_same_seed_gives_the_same_county(world):
    generate_cases(world, 150, seed=11, now=NOW)
    first = _fingerprint()
    from jiceng.cases.models import CaseNumberSequence, CaseScope

    # Start the ledger again (events are append-only, so bypass the model guard).
    CaseEvent.objects.all()._raw_delete(CaseEvent.objects.db)
    CaseScope.objects.all().delete()  # the scope table refers to the cases
    Case.objects.all()._raw_delete(Case.objects.db)
    CaseNumberSequence.objects.all().delete()
    generate_cases(world, 150, seed=11, now=NOW)
    assert _fingerprint() == first


def test_seed_demo_command_builds_and_reports(db, capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--cases", "50", "--seed", "2", "--townships", "1")
    out = capsys.readouterr().out
    assert "已生成 50 件工单" in out and "jiceng-demo-2026" in out
    made = Case.objects.count()  # the 50 generated, and the monitoring alerts of the people seeded with them
    assert made >= 50 and "人口与帮扶" in out
    call_command("seed_demo", "--cases", "50", "--if-empty")
    assert Case.objects.count() == made
