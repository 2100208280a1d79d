"""crosses_risk_threshold: above an absolute line or a share of household income."""

from __future__ import annotations

import pytest

from jiceng.insurance import crosses_risk_threshold


def test_an_absolute_threshold_must_be_exceeded_not_just_reached():
    assert crosses_risk_threshold("10000.00", threshold_abs=10000) is False
    assert crosses_risk_threshold("10000.01", threshold_abs=10000) is True


def test_a_share_of_household_income():
    # 20,000 × 50% = 10,000
    assert crosses_risk_threshold(10000, household_income=20000, share=0.5) is False
    assert crosses_risk_threshold("10000.01", household_income=20000, share="0.5") is True


def test_either_test_is_enough():
    assert crosses_risk_threshold(6000, threshold_abs=50000, household_income=10000, share=0.5) is True
    assert crosses_risk_threshold(4000, threshold_abs=50000, household_income=10000, share=0.5) is False


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"household_income": 10000},
        {"share": 0.5},
        {"threshold_abs": -1},
        {"household_income": 10000, "share": -0.1},
    ],
)
def test_it_refuses_missing_or_negative_criteria(kwargs):
    with pytest.raises(ValueError):
        crosses_risk_threshold(100, **kwargs)


def test_it_refuses_a_negative_self_pay():
    with pytest.raises(ValueError, match="yearly_self_pay"):
        crosses_risk_threshold(-1, threshold_abs=100)
