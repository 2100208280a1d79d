"""Each bill's policy is chosen by its date and the person's village (pure Python)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from jiceng.insurance.calc import run_calc
from jiceng.insurance.policy import load_policy, shipped_policies
from jiceng.insurance.selection import OFFICE, NoPolicy, PolicyEntry, choose_policy
from tests.insurance.helpers import SIMPLE_TOML


def _shipped() -> list[PolicyEntry]:
    return [PolicyEntry(pid, load_policy(path)) for pid, path in shipped_policies().items()]


def _county_policy(year: int, region: str = "431102") -> PolicyEntry:
    text = (SIMPLE_TOML.replace('region = "431100000000"', f'region = "{region}"')
            .replace("2022-01-01", f"{year}-01-01").replace("2022-12-31", f"{year}-12-31"))
    return PolicyEntry("office-1", load_policy(text), OFFICE)


def test_2022_2025_and_2026_ship_beside_each_other():
    assert {"example-hunan-2022", "example-hunan-2025", "example-hunan-2026"} <= set(shipped_policies())


@pytest.mark.parametrize("day, expected", [
    ("2022-06-30", "example-hunan-2022"), ("2025-01-01", "example-hunan-2025"), ("2026-12-31", "example-hunan-2026"),
])
def test_the_bill_date_picks_the_year(day, expected):
    assert choose_policy(_shipped(), dt.date.fromisoformat(day), "431102101201").id == expected


def test_a_smaller_region_wins_over_the_city():
    entries = [*_shipped(), _county_policy(2026)]
    assert choose_policy(entries, dt.date(2026, 3, 1), "431102101201").id == "office-1"  # 零陵区's own
    assert choose_policy(entries, dt.date(2026, 3, 1), "431103100200").id == "example-hunan-2026"  # another county


def test_an_office_policy_of_the_same_region_comes_before_the_shipped_example():
    entries = [*_shipped(), _county_policy(2026, "431100")]
    assert choose_policy(entries, dt.date(2026, 3, 1), "431102101201").id == "office-1"


def test_a_superseded_version_is_never_chosen():
    old = _county_policy(2026)
    entries = [*_shipped(), PolicyEntry(old.id, old.policy, OFFICE, superseded=True)]
    assert choose_policy(entries, dt.date(2026, 3, 1), "431102101201").id == "example-hunan-2026"


def test_a_person_outside_every_region_is_told_what_exists():
    with pytest.raises(NoPolicy) as info:
        choose_policy(_shipped(), dt.date(2026, 3, 1), "110105001001")
    assert "110105001001" in str(info.value) and "431100 · 2026-01-01 至 2026-12-31" in str(info.value)


def test_a_missing_year_names_the_covered_years_and_how_to_add_one():
    with pytest.raises(NoPolicy) as info:
        choose_policy(_shipped(), dt.date(2027, 2, 1), None)
    message = str(info.value)
    assert message.startswith("没有适用于 2027-02-01 的医疗保障政策。")
    for year in (2022, 2025, 2026):
        assert f"（{year} 年度，示例）：431100 · {year}-01-01 至 {year}-12-31" in message
    assert "jiceng insurance policy add" in message and "管理后台" in message


def test_without_a_village_code_two_regions_are_ambiguous():
    entries = [*_shipped(), _county_policy(2026, "431103")]
    with pytest.raises(NoPolicy, match="请填写村（社区）代码"):
        choose_policy(entries, dt.date(2026, 3, 1), None)
    assert choose_policy(_shipped(), dt.date(2026, 3, 1), None).id == "example-hunan-2026"


def test_a_run_computes_each_year_under_its_own_policy_and_rejects_a_missing_year():
    bills = [
        {"id": "a", "person": "p", "category": "dibao", "date": "2022-03-01", "hospital_level": "3", "total": "57000", "in_policy": "54000"},
        {"id": "b", "person": "p", "category": "dibao", "date": "2026-03-01", "hospital_level": "3", "total": "57000", "in_policy": "54000"},
        {"id": "c", "person": "p", "category": "dibao", "date": "2027-03-01", "hospital_level": "3", "total": "100", "in_policy": "100"},
    ]
    run = run_calc(_shipped(), bills)
    assert [e.get("self_pay") for e in run.entries[:2]] == ["7508.50", "7969.12"]
    assert run.entries[2]["error"].startswith("就诊日期：没有适用于 2027-03-01")
    (message,) = run.messages()
    assert message.text.startswith("第 3 行（账单 c） 就诊日期：没有适用于 2027-03-01 的医疗保障政策。")
    assert sorted(u.id for u in run.used) == ["example-hunan-2022", "example-hunan-2026"]


@settings(deadline=None)  # no timing asserted in tests; the machine is shared
@given(st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 31)))
def test_any_date_of_2025_or_2026_gets_the_policy_that_covers_it(day):
    entry = choose_policy(_shipped(), day, "431102101201")
    assert entry.policy.covers(day) and entry.id.endswith(str(day.year))


@settings(deadline=None)
@given(st.dates(), st.one_of(st.none(), st.from_regex(r"\A43\d{10}\Z"), st.from_regex(r"\A\d{12}\Z")))
def test_any_date_and_village_either_computes_or_says_why(day, area):
    bill = {"id": "1", "person": "p", "category": "dibao", "date": day.isoformat(), "hospital_level": "2",
            "total": "1000", "in_policy": "900"}
    if area is not None:
        bill["area"] = area
    run = run_calc(_shipped(), [bill])
    if run.errors:
        (message,) = run.messages()
        assert message.field == "date" and "没有适用于" in message.text
        assert not any(e.policy.applies_to(day, area) for e in _shipped())
    else:
        assert run.policies[0].applies_to(day, area)
