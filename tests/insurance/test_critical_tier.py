"""Tier 2: critical-illness insurance on the year's self-burden after basic.

Simple policy: deductible 10,000; above it 0–10,000 at 50%, 10,000–20,000 at
60%, above 20,000 at 70%; annual cap 50,000. A level-3 bill of X leaves a
self-burden S = 0.5·X + 500 (basic pays (X − 1,000) × 50%).
"""

from __future__ import annotations

from jiceng.insurance import calculate_year, critical_cumulative

from .helpers import D, bill, simple_policy


def test_it_pays_the_first_segment_ratio_above_the_deductible():
    # X = 29,000: basic 14,000, S = 15,000, excess 5,000 × 50% = 2,500
    [result] = calculate_year(simple_policy(), [bill("29000")])
    assert result.basic == D("14000.00")
    assert result.critical == D("2500.00")


def test_it_pays_nothing_until_the_deductible_is_passed():
    # X = 19,000: basic 9,000, S = 10,000 = deductible exactly -> 0
    [result] = calculate_year(simple_policy(), [bill("19000")])
    assert result.critical == D("0.00")


def test_an_excess_exactly_on_a_segment_bound_stays_in_the_lower_segment():
    # X = 39,000: basic 19,000, S = 20,000, excess 10,000 -> 10,000 × 50% = 5,000
    [result] = calculate_year(simple_policy(), [bill("39000")])
    assert result.critical == D("5000.00")
    segments = [s for s in result.steps if s["kind"] == "segment"]
    assert [s["segment"] for s in segments] == [1]
    assert segments[0]["amount"] == D("10000.00")


def test_one_cent_above_a_bound_enters_the_next_segment():
    # X = 39,000.02: basic round(38,000.02 × 50%) = 19,000.01, S = 20,000.01,
    # excess 10,000.01 -> 5,000 + 0.01 × 60% = 5,000.006 -> 5,000.01
    [result] = calculate_year(simple_policy(), [bill("39000.02")])
    assert result.basic == D("19000.01")
    assert result.critical == D("5000.01")
    segments = [s for s in result.steps if s["kind"] == "segment"]
    assert [(s["segment"], s["amount"]) for s in segments] == [(1, D("10000.00")), (2, D("0.01"))]


def test_it_is_progressive_across_all_segments():
    # X = 69,000: basic 34,000, S = 35,000, excess 25,000:
    # 10,000 × 50% + 10,000 × 60% + 5,000 × 70% = 5,000 + 6,000 + 3,500 = 14,500
    [result] = calculate_year(simple_policy(), [bill("69000")])
    assert result.critical == D("14500.00")


def test_the_annual_cap_is_reached_inside_a_bill():
    bills = [
        # X = 119,000: basic 59,000, S = 60,000, excess 50,000:
        # 5,000 + 6,000 + 30,000 × 70% = 32,000
        bill("119000", day="2022-01-05"),
        # X = 59,000: basic 29,000 (year 88,000 < 100,000), S += 30,000 -> 90,000,
        # excess 80,000: 11,000 + 60,000 × 70% = 53,000 -> capped at 50,000 -> pays 18,000
        bill("59000", day="2022-02-05"),
        bill("5000", day="2022-03-05"),  # nothing left under the cap
    ]
    first, second, third = calculate_year(simple_policy(), bills)
    assert first.critical == D("32000.00")
    assert second.basic == D("29000.00")
    assert second.critical == D("18000.00")
    total_step = [s for s in second.steps if s["kind"] == "total"][0]
    assert total_step["rounded"] == D("53000.00")
    assert total_step["cumulative_due"] == D("50000.00")
    assert "已达封顶线" in total_step["text"]
    assert third.critical == D("0.00")


def test_several_bills_cross_the_deductible_midway():
    bills = [
        bill("10000", day="2022-01-01"),  # basic 4,500, S = 5,500 -> below 10,000, pays 0
        bill("12000", day="2022-02-01"),  # basic 5,500, S = 12,000, excess 2,000 × 50% = 1,000
        bill("2000", day="2022-03-01"),  # basic 500, S = 13,500, cumulative 1,750 -> pays 750
    ]
    results = calculate_year(simple_policy(), bills)
    assert [r.critical for r in results] == [D("0.00"), D("1000.00"), D("750.00")]
    # the year adds up to the cumulative amount on the year's self-burden
    due, _ = critical_cumulative(simple_policy(), "ordinary", D("13500"))
    assert sum(r.critical for r in results) == due == D("1750.00")
