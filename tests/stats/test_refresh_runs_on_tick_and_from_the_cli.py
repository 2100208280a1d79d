import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiceng.stats.models import CaseFact, DailyRollup

from .helpers import walk


def test_jiceng_tick_refreshes_the_statistics(world):
    walk(world, ["accept"])
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert CaseFact.objects.count() == 1
    assert "统计增量刷新" in out.getvalue()


def test_stats_check_exits_non_zero_on_a_difference(world):
    walk(world, ["accept"])
    call_command("stats", "refresh", stdout=io.StringIO())
    out = io.StringIO()
    call_command("stats", "check", stdout=out)
    assert "统计核对无误" in out.getvalue()
    DailyRollup.objects.update(intake=5)
    with pytest.raises(CommandError):
        call_command("stats", "check", stdout=io.StringIO())
