"""The illustrative 2025 and 2026 policies: same structure as 2022, sources, a 2026 dibao bill."""

from __future__ import annotations

import tomllib
from decimal import Decimal as D

import pytest

from jiceng.insurance import Bill, calculate_year, load_policy
from jiceng.insurance.policy import PolicyError, shipped_policies


def _keys(data, prefix=""):
    out = set()
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and "value" not in value:
            out |= _keys(value, path)
        else:
            out.add(path)
    return out


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_new_years_have_the_structure_of_2022(year):
    files = shipped_policies()
    old = tomllib.loads(files["example-hunan-2022"].read_text(encoding="utf-8"))
    new = tomllib.loads(files[f"example-hunan-{year}"].read_text(encoding="utf-8"))
    assert _keys(new) == _keys(old)


@pytest.mark.parametrize("year", [2025, 2026])
def test_assumed_numbers_are_marked_illustrative_with_their_source(year):
    policy = load_policy(shipped_policies()[f"example-hunan-{year}"])
    assert policy.region == "431100000000"  # written as 431100 in the file
    assert policy.name.endswith(f"（{year} 年度，示例）") and policy.years == f"{year} 年度"
    for key in ("critical.income_reference", "critical.annual_cap", "subsidy.premium", "basic.levels.3.ratio"):
        assert policy.provenance[key].illustrative, key
    assert "假设" in policy.provenance["subsidy.premium"].source
    assert not policy.provenance["critical.deductible_share"].illustrative
    assert "医保发〔2019〕30号" in policy.provenance["critical.deductible_share"].source
    assert not policy.provenance["critical.tilt.ratio_bonus"].illustrative


def test_a_2026_stay_of_a_dibao_person_computes():
    policy = load_policy(shipped_policies()["example-hunan-2026"])
    bill = Bill(id="1", person="p", category="dibao", date="2026-03-01", hospital_level="3", total="57000", in_policy="54000")
    (result,) = calculate_year(policy, [bill])
    # basic (54,000 − 1,000) × 60% = 31,800; burden 22,200
    # critical: deductible 31,500 × 50% × 50% (tilt) = 7,875; (22,200 − 7,875) × 65% = 9,311.25
    # assistance: 22,200 − 9,311.25 = 12,888.75; deductible 1,575; (12,888.75 − 1,575) × 70% = 7,919.625 → 7,919.63
    assert (result.basic, result.critical, result.assistance) == (D("31800.00"), D("9311.25"), D("7919.63"))
    assert result.self_pay == D("7969.12")


def test_a_six_digit_region_is_stored_as_twelve_digits_and_a_bad_one_is_refused():
    text = shipped_policies()["example-hunan-2026"].read_text(encoding="utf-8")
    assert load_policy(text.replace('region = "431100"', 'region = "431102"')).region == "431102000000"
    with pytest.raises(PolicyError) as info:
        load_policy(text.replace('region = "431100"', 'region = "991100"'))
    assert info.value.key == "meta.region" and "省级代码" in info.value.reason
