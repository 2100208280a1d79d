"""Out-of-policy cost (total > in-policy) is always paid by the person."""

from __future__ import annotations

import datetime as dt

import pytest

from jiceng.insurance import Bill, calculate_year

from .helpers import D, bill, simple_policy


def test_the_out_of_policy_part_is_self_paid():
    # total 12,000, in-policy 9,000, level 3 ordinary: basic (9,000 − 1,000) × 50% = 4,000;
    # S = 5,000 < 10,000; self-pay = 3,000 out-of-policy + 5,000 = 8,000
    [result] = calculate_year(simple_policy(), [bill("9000", total="12000")])
    assert result.basic == D("4000.00")
    assert result.self_pay == D("8000.00")
    # 4,000 / 12,000 = 0.33333… -> 0.3333
    assert result.reimbursed_ratio == D("0.3333")


def test_the_tiers_do_not_see_the_out_of_policy_part():
    # same in-policy cost, with and without 50,000 of out-of-policy cost
    [plain] = calculate_year(simple_policy(), [bill("29000", category="dibao")])
    [extra] = calculate_year(simple_policy(), [bill("29000", total="79000", category="dibao")])
    assert (plain.basic, plain.critical, plain.assistance) == (extra.basic, extra.critical, extra.assistance)
    assert extra.self_pay - plain.self_pay == D("50000.00")


def test_a_bill_entirely_out_of_policy_is_entirely_self_paid():
    [result] = calculate_year(simple_policy(), [bill("0", total="800", category="tekun")])
    assert result.reimbursed == D("0.00")
    assert result.self_pay == D("800.00")
    assert result.reimbursed_ratio == D("0.0000")


def test_a_zero_bill_has_a_zero_ratio():
    [result] = calculate_year(simple_policy(), [bill("0")])
    assert result.self_pay == D("0.00")
    assert result.reimbursed_ratio == D("0.0000")


def test_in_policy_above_total_is_refused():
    with pytest.raises(ValueError, match="政策范围内费用大于总费用"):
        Bill("X", "P", "ordinary", dt.date(2022, 1, 1), "3", D(100), D(101))
