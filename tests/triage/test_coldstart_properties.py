"""Properties of the cold start's calculations: probabilities, clauses, the meaning signal, the history weight."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from jiceng.triage import coldstart
from jiceng.triage.repeats import meaning_signal

PARAMS = dict(coldstart.DEFAULTS)
scores = st.lists(st.floats(-1, 2, allow_nan=False), min_size=1, max_size=40)


@given(scores, st.floats(-1, 1, allow_nan=False))
def test_probabilities_with_the_none_option_sum_to_one_and_keep_the_order(raw, outside):
    raw = np.array(raw)
    proba, none = coldstart.probabilities(raw, PARAMS, outside)
    assert abs(proba.sum() + none - 1) < 1e-9 and 0 <= none <= 1 and (proba >= 0).all()
    order = np.argsort(-raw, kind="stable")
    assert all(proba[order[i]] >= proba[order[i + 1]] - 1e-12 for i in range(len(raw) - 1))


@given(scores, st.floats(-1, 1, allow_nan=False), st.floats(0, 1))
def test_a_stronger_out_of_scope_match_never_lowers_the_none_share(raw, outside, more):
    raw = np.array(raw)
    assert coldstart.probabilities(raw, PARAMS, outside + more)[1] >= coldstart.probabilities(raw, PARAMS, outside)[1] - 1e-12


@given(st.text(max_size=200))
def test_clauses_are_pieces_of_the_text_long_enough_to_mean_something(text):
    normal = coldstart.normalise(text)
    for part in coldstart.clauses(text):
        assert len(part) >= 4 and part in normal


@given(st.lists(st.floats(-1, 1, allow_nan=False), min_size=3, max_size=3), st.floats(-1, 1, allow_nan=False))
def test_the_meaning_signal_is_in_range_and_grows_with_similarity(xyz, shift):
    a = np.array([1.0, 0.0, 0.0])
    b = np.array(xyz)
    b = b / np.linalg.norm(b) if np.linalg.norm(b) > 1e-9 else a
    s = meaning_signal(a, b, 0.4, 0.7)
    assert 0 <= s <= 1
    assert meaning_signal(a, a, 0.4, 0.7) == 1 and meaning_signal(a, -a, 0.4, 0.7) == 0
    assert meaning_signal(a, None, 0.4, 0.7) == 0


@given(st.integers(0, 10**7), st.integers(0, 10**7))
def test_the_history_weight_grows_with_the_history_and_stays_below_one(n, m):
    from jiceng.triage.router import history_weight as weight

    lo, hi = sorted((n, m))
    assert 0 <= weight(lo) <= weight(hi) < 1
