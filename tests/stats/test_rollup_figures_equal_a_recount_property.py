"""Property: whatever happened to the cases, the figures read from the rollup equal a recount from the raw tables."""

from datetime import datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jiceng.cases.models import Case, CaseEvent
from jiceng.stats.metrics import period_figures
from jiceng.stats.rollups import refresh

from .helpers import EVERYWHERE, OCTOBER, T0, walk

PATHS = [
    [], ["refuse"], ["accept"], ["self_handle", "resolve"], ["accept", "dispatch"], ["accept", "dispatch", "claim"],
    ["accept", "dispatch", "claim", "supervise"], ["accept", "dispatch", "claim", "supervise", "note"],
    ["accept", "dispatch", "claim", "resolve"], ["accept", "dispatch", "claim", "resolve", "rate:satisfied", "close"],
    ["accept", "dispatch", "claim", "resolve", "rate:basic"], ["accept", "dispatch", "claim", "resolve", "rate:unsatisfied"],
    ["accept", "dispatch", "claim", "resolve", "rate:unsatisfied", "resolve", "rate:unsatisfied", "decide:uphold", "close"],
]

one_case = st.tuples(st.integers(0, len(PATHS) - 1), st.sampled_from([1, 5, 30]), st.integers(0, 40), st.booleans())


def recount() -> dict:
    """The figures counted straight from cases and events in October, written without the fact table."""
    # October by the wall clock in Shanghai (T0's zone), written out by hand: a window of offsets from
    # T0 (09:00) would drop the cases of 31 October after 09:00 that the month does hold.
    cases = list(Case.objects.filter(created_at__gte=datetime(2026, 10, 1, tzinfo=T0.tzinfo),
                                     created_at__lt=datetime(2026, 11, 1, tzinfo=T0.tzinfo)))
    actions = {c.pk: set(CaseEvent.objects.filter(case=c).values_list("action", flat=True)) for c in cases}
    accepted = sum(bool(actions[c.pk] & {"accept", "self_handle"}) for c in cases)
    resolved = sum(bool(c.resolved_level) for c in cases)
    rated = [c.rating for c in cases if c.rating]
    supervised = [c for c in cases if c.supervise_count]
    return {
        "intake": len(cases), "accepted": accepted, "refused": sum(c.state == "refused" for c in cases),
        "resolved": resolved, "closed": sum(c.state == "closed" for c in cases),
        "resolution_rate": round(resolved / accepted, 4) if accepted else None,
        "satisfaction_rate": round(sum(r in ("satisfied", "basic") for r in rated) / len(rated), 4) if rated else None,
        "supervised": len(supervised),
        "reopen_rate": (round(sum(c.reopen_count > 0 for c in cases) / sum("resolve" in actions[c.pk] for c in cases), 4)
                        if any("resolve" in actions[c.pk] for c in cases) else None),
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(one_case, min_size=1, max_size=5), st.booleans())
@example([(0, 1, 30, False)], False)  # 31 October 09:00: the last day of the month counts
def test_rollup_figures_equal_a_recount(world, plan, refresh_midway):
    for i, (path, gap_hours, day, midway) in enumerate(plan):
        walk(world, PATHS[path], at=T0 + timedelta(days=day - 13, minutes=i), gap=timedelta(hours=gap_hours),
             village=world.villages[i % len(world.villages)])
        if refresh_midway and midway:
            refresh()
    refresh()
    got = period_figures(EVERYWHERE, OCTOBER)
    want = recount()
    assert {k: got[k] for k in want} == want
    refresh(full=True)  # the set-based rebuild from nothing gives the same figures
    assert period_figures(EVERYWHERE, OCTOBER) == got
