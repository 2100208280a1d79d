"""Enrollment subsidy: share of the premium paid for each category."""

from __future__ import annotations

import pytest

from jiceng.insurance import load_example_policy, subsidy_for, subsidy_totals

from .helpers import D, policy_with, simple_policy


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("tekun", "320.00"),  # 320 × 1.0
        ("dibao", "160.00"),  # 320 × 0.5
        ("fanpin", "160.00"),
        ("monitored", "160.00"),
        ("ordinary", "0.00"),  # not listed -> nothing
        ("低保", "160.00"),  # Chinese names work too
    ],
)
def test_it_pays_the_category_share_of_the_example_premium(category, expected):
    assert subsidy_for(load_example_policy(), category) == D(expected)


def test_it_rounds_each_persons_subsidy_half_up():
    # 300.01 × 0.5 = 150.005 -> 150.01 (half even would give 150.00)
    policy = policy_with(subsidy__premium=D("300.01"))
    assert subsidy_for(policy, "dibao") == D("150.01")
    # 300 × 0.3333 = 99.99 exactly
    assert subsidy_for(simple_policy(), "monitored") == D("99.99")


def test_it_refuses_an_unknown_category():
    with pytest.raises(ValueError, match="未知的人员类别"):
        subsidy_for(simple_policy(), "vip")


def test_it_totals_by_area():
    people = [
        ("431102001001", "tekun"),
        ("431102001001", "dibao"),
        ("431102001001", "ordinary"),
        ("431102001002", "monitored"),
        ("431102001002", "monitored"),
    ]
    totals = subsidy_totals(simple_policy(), people)
    assert list(totals) == ["431102001001", "431102001002"]
    first = totals["431102001001"]
    # 300 + 150 + 0
    assert (first["people"], first["subsidised"], first["amount"]) == (3, 2, D("450.00"))
    assert first["by_category"]["ordinary"] == {"people": 1, "amount": D("0.00")}
    second = totals["431102001002"]
    # 99.99 × 2
    assert (second["people"], second["subsidised"], second["amount"]) == (2, 2, D("199.98"))


def test_totals_name_the_bad_row():
    with pytest.raises(ValueError, match="第 2 条"):
        subsidy_totals(simple_policy(), [("431102001001", "tekun"), ("431102001001", "vip")])
