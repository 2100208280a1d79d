"""Sentence embeddings for repeat detection: stored at submit, filled in for bulk-imported cases, capped per lookup."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.core.management import call_command

from jiceng.demo.cases import generate_cases
from jiceng.triage.models import CaseKey
from jiceng.triage.repeats import Draft, find_repeat_candidates
from tests.triage.test_repeat_scoring import submit

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 20, 8, tzinfo=timezone.utc)


def test_a_submitted_case_gets_its_embedding_in_the_same_transaction(world):
    case = submit(world, title="停水", description="我们组停水三天了", reporter_phone="13900000011", address="幸福村三组")
    assert len(bytes(CaseKey.objects.get(case=case).embedding)) == 1024


def test_a_paraphrase_is_found_by_meaning_even_with_another_address_spelling(world):
    first = submit(world, title="工钱", description="包工头跑了，工钱一分都没拿到", reporter_phone="13900000012", address="幸福村三组12号")
    village = first.area_id
    got = find_repeat_candidates(Draft(area_id=village, description="工地上的老板跑路了，我们干了三个月的工资没人给", address="幸福村3组十二号"),
                                 min_score=0)
    mine = [c for c in got if c.case.pk == first.pk]
    assert mine and "meaning" in {r.code for r in mine[0].reasons} and mine[0].likely


def test_bulk_imported_cases_are_embedded_at_lookup_at_most_a_capped_number(world, settings):
    generate_cases(world, 120, seed=3, now=NOW)
    assert not CaseKey.objects.exclude(embedding__isnull=True).exists()  # the demo generator leaves them out
    settings.JICENG_TRIAGE = {"repeats": {"embed_per_lookup": 5}}
    busiest = CaseKey.objects.values_list("area_id", flat=True).first()
    find_repeat_candidates(Draft(area_id=busiest, description="路灯坏了", created_at=NOW), min_score=0)
    assert 0 < CaseKey.objects.exclude(embedding__isnull=True).count() <= 5
    call_command("triage_index", "--embeddings")
    assert not CaseKey.objects.filter(embedding__isnull=True).exists()
