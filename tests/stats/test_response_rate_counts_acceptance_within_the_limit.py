from datetime import timedelta

from jiceng.stats.metrics import period_figures

from .helpers import EVERYWHERE, OCTOBER, T0, refreshed, walk


def test_accepted_in_time_responds_and_late_acceptance_does_not(world):
    walk(world, ["accept"])  # an hour after receipt: on time
    walk(world, ["accept"], gap=timedelta(days=10))  # two weeks later: past the 24 working hours to accept
    walk(world, ["refuse"])  # a refusal in time is a response too
    walk(world, [])  # not yet due: outside the denominator
    refreshed()
    f = period_figures(EVERYWHERE, OCTOBER)
    assert f["intake"] == 4
    assert f["accepted"] == 2 and f["refused"] == 1
    assert f["response_rate"] == round(2 / 3, 4)


def test_a_case_never_accepted_counts_once_tick_flags_it_overdue(world):
    from jiceng.cases.tick import run_tick

    walk(world, [])
    run_tick(T0 + timedelta(days=10))
    refreshed()
    f = period_figures(EVERYWHERE, OCTOBER)
    assert f["response_rate"] == 0.0
    assert f["went_overdue"] == 1
