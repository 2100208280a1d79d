from datetime import timedelta

from jiceng.stats.metrics import period_figures
from jiceng.triage.repeats import do_link_repeat

from .helpers import EVERYWHERE, OCTOBER, T0, refreshed, walk
from tests.cases.helpers import village_staff


def test_a_case_linked_as_a_repeat_counts_once_the_refresh_sees_the_link(world):
    original = walk(world, ["accept"])
    again = walk(world, [], at=T0 + timedelta(hours=3), village=world.villages[-1])
    walk(world, [])
    refreshed()
    assert period_figures(EVERYWHERE, OCTOBER)["repeat_rate"] == 0.0
    do_link_repeat(again, original, village_staff(world, again.area_id), now=T0 + timedelta(hours=4))
    refreshed()  # incremental: only the linked cases are recounted
    assert period_figures(EVERYWHERE, OCTOBER)["repeat_rate"] == round(1 / 3, 4)
