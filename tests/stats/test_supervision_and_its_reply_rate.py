from jiceng.stats.metrics import live_counts, period_figures

from .helpers import EVERYWHERE, OCTOBER, T0, refreshed, walk


def test_a_supervised_case_counts_as_replied_once_the_unit_acts_after_it(world):
    walk(world, ["accept", "dispatch", "claim", "supervise", "note"])  # the unit answers with a progress note
    walk(world, ["accept", "dispatch", "claim", "supervise"])  # no answer yet
    walk(world, ["accept", "dispatch", "claim"])
    refreshed()
    f = period_figures(EVERYWHERE, OCTOBER)
    assert f["supervised"] == 2
    assert f["supervise_reply_rate"] == 0.5
    assert live_counts(EVERYWHERE, T0)["supervised_open"] == 2
