from jiceng.stats.metrics import period_figures

from .helpers import CLOSED_LOOP, EVERYWHERE, OCTOBER, refreshed, walk


def test_resolution_rate_is_standing_resolutions_of_accepted_cases(world):
    walk(world, CLOSED_LOOP)
    walk(world, ["accept", "dispatch", "claim", "resolve"])
    walk(world, ["accept", "dispatch", "claim"])
    walk(world, ["refuse"])  # not accepted: not in the denominator
    refreshed()
    f = period_figures(EVERYWHERE, OCTOBER)
    assert f["resolved"] == 2 and f["closed"] == 1
    assert f["resolution_rate"] == round(2 / 3, 4)


def test_a_self_handled_case_counts_as_accepted_and_responded(world):
    walk(world, ["self_handle", "resolve"])  # 自办: the village accepts and handles in one step
    walk(world, ["accept", "dispatch", "claim"])
    refreshed()
    f = period_figures(EVERYWHERE, OCTOBER)
    assert f["accepted"] == 2 and f["resolved"] == 1
    assert f["resolution_rate"] == 0.5  # never above 100 %: every resolved case was accepted first
    assert f["response_rate"] == 1.0


def test_basically_satisfied_counts_as_satisfied(world):
    walk(world, ["accept", "dispatch", "claim", "resolve", "rate:satisfied"])
    walk(world, ["accept", "dispatch", "claim", "resolve", "rate:basic"])
    walk(world, ["accept", "dispatch", "claim", "resolve", "rate:unsatisfied", "resolve", "rate:unsatisfied"])
    walk(world, ["accept", "dispatch", "claim", "resolve"])  # not rated: outside the denominator
    refreshed()
    f = period_figures(EVERYWHERE, OCTOBER)
    assert f["satisfaction_rate"] == round(2 / 3, 4)


def test_a_first_unsatisfied_rating_reopens_and_counts_in_the_reopen_rate(world):
    walk(world, ["accept", "dispatch", "claim", "resolve", "rate:unsatisfied"])  # back to handling
    walk(world, ["accept", "dispatch", "claim", "resolve", "rate:satisfied"])
    refreshed()
    f = period_figures(EVERYWHERE, OCTOBER)
    assert f["reopen_rate"] == 0.5
    assert f["resolved"] == 1  # the reopened case no longer stands resolved
    assert f["resolution_rate"] == 0.5
