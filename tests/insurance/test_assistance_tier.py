"""Tier 3: medical assistance on what is left after critical-illness insurance.

Simple policy: tekun 0 / 90% / cap 10,000; dibao and fanpin 1,000 / 50% / cap
20,000; monitored 2,000 / 40% / cap 5,000; ordinary none. A level-3 bill of X
leaves S = 0.5·X + 500 after basic. With X = 9,000, S = 5,000, which is not
above any critical deductible (5,000 tilted, 10,000 otherwise).
"""

from __future__ import annotations

import pytest

from jiceng.insurance import calculate_year
from jiceng.insurance.policy import policy_from_dict

from .helpers import D, bill, simple_dict, simple_policy


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("tekun", "4500.00"),  # 5,000 × 90% = 4,500
        ("dibao", "2000.00"),  # (5,000 − 1,000) × 50% = 2,000
        ("fanpin", "2000.00"),  # same terms as dibao
        ("monitored", "1200.00"),  # (5,000 − 2,000) × 40% = 1,200
        ("ordinary", "0.00"),  # no [assistance.ordinary]
    ],
)
def test_it_applies_the_assistance_terms_of_each_category(category, expected):
    [result] = calculate_year(simple_policy(), [bill("9000", category=category)])
    assert result.basic == D("4000.00")
    assert result.critical == D("0.00")
    assert result.assistance == D(expected)


def test_ordinary_people_are_told_they_get_no_assistance():
    [result] = calculate_year(simple_policy(), [bill("9000")])
    step = [s for s in result.steps if s["tier"] == "assistance"][0]
    assert step["kind"] == "not_eligible"
    assert "不予救助" in step["text"]


def test_ordinary_people_get_assistance_when_the_policy_lists_them():
    data = simple_dict()
    data["assistance"]["ordinary"] = {"source": "测试", "deductible": 3000, "ratio": D("0.2"), "annual_cap": 1000}
    [result] = calculate_year(policy_from_dict(data), [bill("9000")])
    # (5,000 − 3,000) × 20% = 400
    assert result.assistance == D("400.00")


def test_assistance_works_on_what_critical_illness_insurance_left():
    # X = 29,000, dibao: basic 14,000, S = 15,000; critical (15,000 − 5,000) × 60% = 6,000;
    # left 9,000; assistance (9,000 − 1,000) × 50% = 4,000
    [result] = calculate_year(simple_policy(), [bill("29000", category="dibao")])
    assert result.critical == D("6000.00")
    assert result.assistance == D("4000.00")
    assert result.self_pay == D("5000.00")  # 29,000 − 14,000 − 6,000 − 4,000


def test_the_assistance_cap_is_reached_inside_a_bill():
    bills = [
        # X = 49,000, monitored: basic 24,000, S = 25,000; critical excess 15,000:
        # 5,000 + 5,000 × 60% = 8,000; left 17,000; (17,000 − 2,000) × 40% = 6,000 -> cap 5,000
        bill("49000", category="monitored", day="2022-04-01"),
        bill("9000", category="monitored", day="2022-05-01"),
    ]
    first, second = calculate_year(simple_policy(), bills)
    assert first.critical == D("8000.00")
    assert first.assistance == D("5000.00")
    assert second.assistance == D("0.00")


def test_the_assistance_deductible_accumulates_over_the_year():
    bills = [
        # X = 2,000: basic 500, S = 1,500, left 1,500; (1,500 − 1,000) × 50% = 250
        bill("2000", category="dibao", day="2022-06-01"),
        # again S += 1,500 -> 3,000; cumulative (3,000 − 1,000) × 50% = 1,000 -> pays 750
        bill("2000", category="dibao", day="2022-07-01"),
    ]
    first, second = calculate_year(simple_policy(), bills)
    assert first.assistance == D("250.00")
    assert second.assistance == D("750.00")
