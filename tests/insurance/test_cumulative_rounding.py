"""A bill's payment at tiers 2 and 3 is the increase of the year's rounded
cumulative, so the year's bills add up to the cent; rounding each bill on its
own would drift."""

from __future__ import annotations

from jiceng.insurance import calculate_year

from .helpers import D, bill, simple_policy


def test_assistance_does_not_drift_over_many_small_bills():
    # tekun, level 3, 0.05 each: below the 1,000 basic deductible and far below the
    # critical deductible, so each bill leaves 0.05 for assistance at 90%.
    # cumulative: 0.045 -> 0.05, 0.090 -> 0.09, 0.135 -> 0.14
    # bills:      0.05,          0.04,          0.05     (sum 0.14)
    # rounding each bill alone: 0.045 -> 0.05 three times = 0.15 (drifts by a cent)
    bills = [bill("0.05", category="tekun", day=f"2022-05-0{i}") for i in (1, 2, 3)]
    results = calculate_year(simple_policy(), bills)
    assert [r.assistance for r in results] == [D("0.05"), D("0.04"), D("0.05")]
    assert sum(r.assistance for r in results) == D("0.14")


def test_critical_illness_does_not_drift_over_many_small_bills():
    # bill 0: X = 19,000 -> S = 10,000, exactly the deductible.
    # then three bills of 1.01 (below the basic deductible, so S grows by 1.01 each):
    # cumulative 1.01 × 50% = 0.505 -> 0.51; 2.02 × 50% = 1.01; 3.03 × 50% = 1.515 -> 1.52
    # bills: 0.51, 0.50, 0.51 (sum 1.52); per-bill rounding would give 0.51 × 3 = 1.53
    bills = [bill("19000", day="2022-01-01")] + [bill("1.01", day=f"2022-02-0{i}") for i in (1, 2, 3)]
    results = calculate_year(simple_policy(), bills)
    assert [r.critical for r in results] == [D("0.00"), D("0.51"), D("0.50"), D("0.51")]
    assert sum(r.critical for r in results) == D("1.52")


def test_every_bill_still_adds_up_to_its_total():
    bills = [bill("0.05", category="tekun", day=f"2022-05-0{i}") for i in (1, 2, 3)]
    for r in calculate_year(simple_policy(), bills):
        assert r.basic + r.critical + r.assistance + r.special_aid + r.self_pay == r.total
