"""The tilt (倾斜支付) for tekun, dibao and fanpin.

Simple policy: deductible 10,000 × 0.5 = 5,000; ratios 50/60/70% + 10 points
= 60/70/80%; no cap. A level-3 bill of X leaves S = 0.5·X + 500.
"""

from __future__ import annotations

import pytest

from jiceng.insurance import calculate_year, load_example_policy

from .helpers import D, bill, simple_policy


def test_it_halves_the_deductible_for_tekun():
    # X = 29,000: S = 15,000. tekun: excess 15,000 − 5,000 = 10,000 × 60% = 6,000
    [tekun] = calculate_year(simple_policy(), [bill("29000", category="tekun")])
    assert tekun.critical == D("6000.00")
    # ordinary for comparison: (15,000 − 10,000) × 50% = 2,500
    [ordinary] = calculate_year(simple_policy(), [bill("29000")])
    assert ordinary.critical == D("2500.00")


def test_it_adds_the_bonus_points_to_every_segment_for_dibao():
    # X = 69,000: S = 35,000, excess 30,000: 10,000 × 60% + 10,000 × 70% + 10,000 × 80%
    # = 6,000 + 7,000 + 8,000 = 21,000
    [result] = calculate_year(simple_policy(), [bill("69000", category="dibao")])
    assert result.critical == D("21000.00")


def test_it_removes_the_cap_for_fanpin():
    bills = [
        bill("119000", category="fanpin", day="2022-01-05"),  # S = 60,000
        bill("59000", category="fanpin", day="2022-02-05"),  # S = 90,000
    ]
    results = calculate_year(simple_policy(), bills)
    # excess 85,000: 6,000 + 7,000 + 65,000 × 80% = 65,000 (ordinary would stop at 50,000)
    assert sum(r.critical for r in results) == D("65000.00")


@pytest.mark.parametrize("category", ["ordinary", "monitored"])
def test_categories_without_the_tilt_use_the_ordinary_terms(category):
    # X = 29,000: S = 15,000, (15,000 − 10,000) × 50% = 2,500
    [result] = calculate_year(simple_policy(), [bill("29000", category=category)])
    assert result.critical == D("2500.00")


def test_the_explanation_names_the_tilt():
    [result] = calculate_year(simple_policy(), [bill("29000", category="tekun")])
    step = [s for s in result.steps if s["tier"] == "critical" and s["kind"] == "deductible"][0]
    assert step["tilted"] is True
    assert step["deductible"] == D("5000.00")
    assert "倾斜" in step["text"]


def test_the_example_policy_halves_13000_to_6500_for_tekun():
    # Example: 13,000 × 0.5 = 6,500; a level-1 bill of X leaves S = X − (X − 200) × 85%.
    # X = 40,200: basic 34,000, S = 6,200 < 6,500 -> 0
    policy = load_example_policy()
    [below] = calculate_year(policy, [bill("40200", level="1", category="tekun")])
    assert below.basic == D("34000.00")
    assert below.critical == D("0.00")
    # X = 44,200: basic 37,400, S = 6,800, excess 300 × 65% = 195
    [above] = calculate_year(policy, [bill("44200", level="1", category="tekun")])
    assert above.critical == D("195.00")
