"""Grouping by person and calendar year, ordering, and the calculate_bill helper."""

from __future__ import annotations

import pytest

from jiceng.insurance import YearState, calculate_bill, calculate_year

from .helpers import D, bill, policy_with, simple_policy


def test_results_come_back_in_input_order_but_are_computed_in_date_order():
    early = bill("12000", day="2022-02-01", bill_id="early")  # basic 5,500, S = 6,500
    late = bill("12000", day="2022-03-01", bill_id="late")  # S = 13,000 -> (3,000) × 50% = 1,500
    results = calculate_year(simple_policy(), [late, early])
    assert [r.id for r in results] == ["late", "early"]
    assert results[0].critical == D("1500.00")
    assert results[1].critical == D("0.00")


def test_bills_on_the_same_day_are_ordered_by_id():
    b = bill("12000", day="2022-02-01", bill_id="b")
    a = bill("12000", day="2022-02-01", bill_id="a")
    results = calculate_year(simple_policy(), [b, a])
    # "a" comes first, so "b" is the one that crosses the deductible
    assert {r.id: r.critical for r in results} == {"a": D("0.00"), "b": D("1500.00")}


def test_people_do_not_share_their_accumulation():
    bills = [bill("12000", person="甲"), bill("12000", person="乙", day="2022-04-01")]
    results = calculate_year(simple_policy(), bills)
    # each S = 6,500 < 10,000
    assert [r.critical for r in results] == [D("0.00"), D("0.00")]


def test_a_new_calendar_year_starts_from_zero():
    policy = policy_with(meta__effective_to="2023-12-31")
    bills = [bill("12000", day="2022-12-30"), bill("12000", day="2023-01-02")]
    results = calculate_year(policy, bills)
    assert [r.critical for r in results] == [D("0.00"), D("0.00")]


def test_calculate_bill_with_a_state_gives_the_same_as_calculate_year():
    policy = simple_policy()
    bills = [bill("12000", day="2022-02-01"), bill("12000", day="2022-03-01"), bill("3000", day="2022-04-01")]
    state = YearState()
    one_by_one = [calculate_bill(policy, b, state) for b in bills]
    assert one_by_one == calculate_year(policy, bills)
    # self-burden after basic: 12,000 − 5,500 = 6,500 twice, then 3,000 − 1,000 = 2,000
    assert state.burden == D("15000.00")
    # critical on the year: (15,000 − 10,000) × 50% = 2,500
    assert state.critical_paid == D("2500.00")


def test_calculate_bill_without_a_state_treats_the_bill_as_the_first_of_the_year():
    [expected] = calculate_year(simple_policy(), [bill("29000", bill_id="only")])
    assert calculate_bill(simple_policy(), bill("29000", bill_id="only")) == expected


def test_a_state_refuses_another_person_or_an_earlier_bill():
    policy = simple_policy()
    state = YearState()
    calculate_bill(policy, bill("100", day="2022-05-01", bill_id="m"), state)
    with pytest.raises(ValueError, match="另一参保人"):
        calculate_bill(policy, bill("100", person="P2", day="2022-06-01"), state)
    with pytest.raises(ValueError, match="顺序"):
        calculate_bill(policy, bill("100", day="2022-04-01"), state)


def test_a_bill_outside_the_policy_period_is_refused():
    with pytest.raises(ValueError, match="有效期"):
        calculate_year(simple_policy(), [bill("100", day="2023-01-01")])


def test_repeated_ids_are_refused():
    with pytest.raises(ValueError, match="重复"):
        calculate_year(simple_policy(), [bill("1", bill_id="x"), bill("2", bill_id="x", day="2022-06-01")])
