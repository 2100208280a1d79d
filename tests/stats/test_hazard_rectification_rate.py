from jiceng.stats.metrics import period_figures

from .helpers import EVERYWHERE, OCTOBER, refreshed, walk

HAZARD = {"hazard_level": "一般", "rectify_by": "2026-10-30"}


def test_rectified_hazards_of_accepted_hazards(world):
    walk(world, ["accept", "dispatch", "claim", "resolve"], category="yinhuan-fire", fields=HAZARD,
         resolve_fields={"measures": "更换灭火器"})
    walk(world, ["accept", "dispatch", "claim"], category="yinhuan-fire", fields=HAZARD)
    walk(world, ["accept", "dispatch", "claim", "resolve"])  # not a hazard: left out
    refreshed()
    assert period_figures(EVERYWHERE, OCTOBER)["hazard_rectification_rate"] == 0.5
