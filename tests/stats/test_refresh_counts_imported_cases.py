"""Historical cases imported after the statistics were last refreshed are counted by the next incremental refresh."""

from __future__ import annotations

import io
from datetime import date

from django.core.management import call_command
from django.db.models import Sum

from jiceng.stats.models import CaseFact, DailyRollup

from tests.cases.imports.helpers import csv_bytes, row

from .helpers import walk


def test_stats_refresh_counts_imported_cases_by_their_own_days(world, tmp_path):
    walk(world, ["accept"])
    call_command("stats", "refresh", stdout=io.StringIO())  # the watermark is past every event so far
    assert CaseFact.objects.count() == 1
    path = tmp_path / "历史.csv"
    path.write_bytes(csv_bytes([row(world, number="S1"), row(world, number="S2", rating="基本满意"),
                                row(world, number="S3", rating="", state="已办结")]))
    call_command("import_cases", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("stats", "refresh", stdout=out)
    facts = CaseFact.objects.filter(day=date(2024, 3, 5))
    assert facts.count() == 3
    assert facts.filter(resolved=True, resolved_level="village").count() == 3
    assert facts.filter(closed=True).count() == 2 and facts.filter(accepted=True, responded_on_time=True).count() == 3
    assert sorted(facts.values_list("rating", flat=True)) == ["", "basic", "satisfied"]
    sums = DailyRollup.objects.filter(day=date(2024, 3, 5)).aggregate(i=Sum("intake"), s=Sum("satisfied"), c=Sum("closed"))
    assert sums == {"i": 3, "s": 1, "c": 2}
    check = io.StringIO()
    call_command("stats", "check", stdout=check)
    assert "统计核对无误" in check.getvalue()
