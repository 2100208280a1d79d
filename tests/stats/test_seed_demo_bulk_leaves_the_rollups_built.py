"""`seed-demo --bulk` writes events without the tick; it ends with the set-based rebuild, so the dashboard has figures."""

import io

import pytest
from django.core.management import call_command

from jiceng.cases.models import Case
from jiceng.stats.models import CaseFact, DailyRollup
from jiceng.stats.rollups import check


@pytest.mark.django_db
def test_bulk_seeding_leaves_facts_and_rollups_that_match_a_recount(tmp_path, settings):
    settings.ANCHOR_DIR = tmp_path / "anchors"
    settings.ANCHOR_KEY_PATH = tmp_path / "anchor-key.pem"
    out = io.StringIO()
    call_command("seed_demo", "--cases", "120", "--bulk", "--no-people", "--templates", "20", "--townships", "2", stdout=out)
    assert "统计全量重建" in out.getvalue()
    assert CaseFact.objects.count() == Case.objects.count() == 120
    assert sum(DailyRollup.objects.values_list("intake", flat=True)) == 120
    result = check()
    assert result.ok, result.differences
