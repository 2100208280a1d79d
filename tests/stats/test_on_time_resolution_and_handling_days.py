from datetime import timedelta

from jiceng.cases import sla
from jiceng.stats.metrics import period_figures

from .helpers import EVERYWHERE, OCTOBER, refreshed, walk


def test_on_time_rate_compares_the_first_resolution_with_the_deadline_in_force(world):
    walk(world, ["accept", "dispatch", "claim", "resolve"])  # four hours: well within 5 working days
    walk(world, ["accept", "dispatch", "claim", "resolve"], gap=timedelta(days=4))  # resolved ~16 days later
    refreshed()
    f = period_figures(EVERYWHERE, OCTOBER)
    assert f["on_time_rate"] == 0.5


def test_average_handling_time_is_in_working_days_on_the_official_calendar(world):
    # Wednesday 09:00 → each step one hour later; resolved at 13:00 of the same day (lunch 12:00–14:30 is not working time)
    case = walk(world, ["accept", "dispatch", "claim", "resolve"])
    refreshed()
    expected = sla.working_seconds_between(case.created_at, case.updated_at) / sla.working_day_seconds()
    assert period_figures(EVERYWHERE, OCTOBER)["avg_handling_days"] == round(expected, 2)
    assert 0 < expected < 1
