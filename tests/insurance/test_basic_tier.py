"""Tier 1: basic insurance — deductible, level ratio, annual cap.

Simple policy: level 1 100 / 90%, level 2 500 / 80%, level 3 1,000 / 50%,
annual cap 100,000.
"""

from __future__ import annotations

import pytest

from jiceng.insurance import calculate_year

from .helpers import D, bill, policy_with, simple_policy


@pytest.mark.parametrize(
    ("level", "in_policy", "expected"),
    [
        ("1", "1100", "900.00"),  # (1,100 − 100) × 90% = 900
        ("2", "10500", "8000.00"),  # (10,500 − 500) × 80% = 8,000
        ("3", "3000", "1000.00"),  # (3,000 − 1,000) × 50% = 1,000
    ],
)
def test_it_subtracts_the_level_deductible_and_applies_the_level_ratio(level, in_policy, expected):
    [result] = calculate_year(simple_policy(), [bill(in_policy, level=level)])
    assert result.basic == D(expected)


def test_it_pays_nothing_below_the_deductible():
    # 800 < 1,000 deductible at level 3
    [result] = calculate_year(simple_policy(), [bill("800")])
    assert result.basic == D("0.00")
    assert result.steps[0]["deductible"] == D("800.00")


def test_it_rounds_the_basic_payment_half_up_to_the_cent():
    # (100.05 − 100) × 90% = 0.045 -> 0.05 (half up; half even would give 0.04)
    [result] = calculate_year(simple_policy(), [bill("100.05", level="1")])
    assert result.basic == D("0.05")


def test_a_per_admission_deductible_applies_to_every_bill():
    # each: (1,500 − 500) × 80% = 800
    bills = [bill("1500", level="2", day="2022-02-01"), bill("1500", level="2", day="2022-03-01")]
    results = calculate_year(simple_policy(), bills)
    assert [r.basic for r in results] == [D("800.00"), D("800.00")]


def test_a_per_year_deductible_is_consumed_across_the_year():
    policy = policy_with(basic__deductible_per="year")
    bills = [bill("300", level="2", day="2022-02-01"), bill("1500", level="2", day="2022-03-01")]
    first, second = calculate_year(policy, bills)
    # bill 1: 300 all goes to the deductible, pays 0; 200 of the 500 is left
    assert first.basic == D("0.00")
    # bill 2: (1,500 − 200) × 80% = 1,040
    assert second.basic == D("1040.00")
    assert second.steps[0]["deductible"] == D("200.00")


def test_a_per_year_deductible_uses_the_standard_of_each_bills_level():
    policy = policy_with(basic__deductible_per="year")
    bills = [bill("300", level="2", day="2022-02-01"), bill("2000", level="3", day="2022-03-01")]
    _, second = calculate_year(policy, bills)
    # level 3 standard 1,000, 300 already used -> 700 more; (2,000 − 700) × 50% = 650
    assert second.steps[0]["deductible"] == D("700.00")
    assert second.basic == D("650.00")


def test_it_stops_at_the_annual_cap_inside_a_bill():
    bills = [
        bill("100100", level="1", day="2022-01-10"),  # (100,000) × 90% = 90,000
        bill("20100", level="1", day="2022-02-10"),  # 20,000 × 90% = 18,000, but only 10,000 left
        bill("5100", level="1", day="2022-03-10"),  # cap used up
    ]
    first, second, third = calculate_year(simple_policy(), bills)
    assert first.basic == D("90000.00")
    assert second.basic == D("10000.00")
    assert second.steps[0]["cap_reached"] is True
    assert second.steps[0]["computed"] == D("18000.00")
    assert third.basic == D("0.00")


def test_no_basic_cap_when_the_policy_says_none():
    policy = policy_with(basic__annual_cap="none")
    [result] = calculate_year(policy, [bill("200100", level="1")])
    # 200,000 × 90% = 180,000, above the usual cap of 100,000
    assert result.basic == D("180000.00")
