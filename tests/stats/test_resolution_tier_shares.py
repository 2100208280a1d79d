from jiceng.stats.metrics import period_figures

from .helpers import EVERYWHERE, OCTOBER, refreshed, walk


def test_shares_of_resolutions_by_tier_add_up_to_one(world):
    walk(world, ["accept", "dispatch", "claim", "resolve"])
    walk(world, ["accept", "dispatch", "claim", "resolve"])
    walk(world, ["accept", "dispatch", "claim"])  # not resolved: outside
    refreshed()
    f = period_figures(EVERYWHERE, OCTOBER)
    assert f["share_village"] == 1.0
    assert f["share_township"] == 0.0 and f["share_county"] == 0.0
