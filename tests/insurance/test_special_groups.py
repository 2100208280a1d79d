"""Groups with their own policy: pneumoconiosis migrant workers (尘肺病农民工).

Simple policy: basic ratio +10 points; special aid 50% of the in-policy
self-burden left after the three tiers; aid cap 3,000 a year.
"""

from __future__ import annotations

from jiceng.insurance import calculate_year, result_to_json

from .helpers import D, bill, simple_policy

P = ("pneumoconiosis",)


def test_it_raises_the_basic_ratio_and_pays_special_aid_on_what_is_left():
    # level 3, X = 3,000: basic (3,000 − 1,000) × (50% + 10%) = 1,200; S = 1,800 (no critical,
    # ordinary gets no assistance); aid 1,800 × 50% = 900; self-pay 3,000 − 1,200 − 900 = 900
    [result] = calculate_year(simple_policy(), [bill("3000", groups=P)])
    assert result.basic == D("1200.00")
    assert result.critical == D("0.00")
    assert result.assistance == D("0.00")
    assert result.special_aid == D("900.00")
    assert result.self_pay == D("900.00")


def test_the_steps_show_where_the_special_rule_applied():
    [result] = calculate_year(simple_policy(), [bill("3000", groups=P)])
    special = [(s["kind"], s["group"]) for s in result.steps if s["tier"] == "special"]
    assert special == [("basic_ratio_bonus", "pneumoconiosis"), ("aid", "pneumoconiosis")]
    assert all("尘肺病农民工" in s["text"] for s in result.steps if s["tier"] == "special")


def test_without_the_group_the_same_bill_gets_the_ordinary_terms():
    # (3,000 − 1,000) × 50% = 1,000 and no aid
    [result] = calculate_year(simple_policy(), [bill("3000")])
    assert result.basic == D("1000.00")
    assert result.special_aid == D("0.00")


def test_special_aid_comes_after_assistance():
    # dibao, X = 9,000: basic 8,000 × 60% = 4,800, S = 4,200 (< 5,000 tilted deductible);
    # assistance (4,200 − 1,000) × 50% = 1,600; left 2,600; aid 2,600 × 50% = 1,300
    [result] = calculate_year(simple_policy(), [bill("9000", category="dibao", groups=P)])
    assert result.basic == D("4800.00")
    assert result.assistance == D("1600.00")
    assert result.special_aid == D("1300.00")
    assert result.self_pay == D("1300.00")


def test_the_special_aid_cap_is_reached_inside_a_bill():
    # X = 20,000: basic 19,000 × 60% = 11,400, S = 8,600 (< 10,000); aid 4,300 -> cap 3,000
    first, second = calculate_year(
        simple_policy(), [bill("20000", groups=P, day="2022-01-01"), bill("3000", groups=P, day="2022-02-01")]
    )
    assert first.special_aid == D("3000.00")
    assert second.special_aid == D("0.00")


def test_a_group_the_policy_does_not_know_is_noted_and_ignored():
    [result] = calculate_year(simple_policy(), [bill("3000", groups=("silicosis_typo",))])
    assert result.basic == D("1000.00")
    notes = [s for s in result.steps if s["kind"] == "unknown_group"]
    assert notes and notes[0]["group"] == "silicosis_typo"


def test_json_has_special_aid_only_when_it_is_not_zero():
    policy = simple_policy()
    [with_aid] = calculate_year(policy, [bill("3000", groups=P)])
    [without] = calculate_year(policy, [bill("3000")])
    assert result_to_json(with_aid)["special_aid"] == "900.00"
    assert "special_aid" not in result_to_json(without)
