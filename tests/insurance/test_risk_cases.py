"""The risk link: a 因病返贫风险 case once per person and year, with little personal data."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings as hsettings, strategies as st

from jiceng.accounts.models import PersonalDataAccess
from jiceng.cases.errors import InvalidInput, NotPermitted
from jiceng.cases.models import Case
from jiceng.insurance import check_digit, load_example_policy
from jiceng.insurance.calc import run_calc
from jiceng.insurance.policy import PolicyError, load_policy
from jiceng.insurance.risk import find_risks
from jiceng.insurance.services import RISK_CATEGORY, SYSTEM_USERNAME, do_open_risk_cases
from tests.insurance.helpers import SIMPLE_TOML

ID = "43110219800101001" + check_digit("43110219800101001")


def _bill(bill_id: str, person: str, area: str | None, total: str = "57000", **extra) -> dict:
    bill = {"id": bill_id, "person": person, "category": "dibao", "date": "2022-03-01", "hospital_level": "3",
            "total": total, "in_policy": "54000", **extra}
    if area:
        bill["area"] = area
    return bill


def _calc(tmp_path: Path, bills: list[dict], *extra: str) -> str:
    path = tmp_path / "bills.json"
    path.write_text(json.dumps(bills, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("insurance", "calc", "--policy", "example-hunan-2022", "--bills", str(path), "--out", str(tmp_path / "o.json"),
                 "--open-risk-cases", *extra, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_a_case_is_opened_once_per_person_and_year_even_when_run_twice(tmp_path, world):
    village = world.villages[0]
    # Self-pay 7,508.50 on the example policy: above a 5,000 threshold.
    bills = [_bill("b1", ID, village.code), _bill("b2", "someone-else", None, total="300", in_policy="300")]
    first = _calc(tmp_path, bills, "--risk-threshold", "5000")
    second = _calc(tmp_path, bills, "--risk-threshold", "5000")
    cases = list(Case.objects.filter(category__code=RISK_CATEGORY))
    assert len(cases) == 1
    case = cases[0]
    assert case.area_id == village.code and case.state == "submitted"
    assert case.created_by.username == SYSTEM_USERNAME and case.events.count() == 1
    assert case.fields == {"risk_year": 2022, "medical_self_pay": "7508.50"}
    assert f"已开启因病返贫风险工单 {case.number}（待受理）" in first
    assert f"因病返贫风险工单 {case.number}（待受理）已存在" in second


@pytest.mark.django_db
def test_the_case_holds_no_more_personal_data_than_needed_and_masks_the_id(tmp_path, world, client):
    village = world.villages[0]
    _calc(tmp_path, [_bill("b1", ID, village.code, name="张三明", household_income="12000")], "--risk-threshold", "5000")
    case = Case.objects.get(category__code=RISK_CATEGORY)
    assert case.reporter_id_number == ID and case.reporter_name == "张三明"
    stored = case.title + case.description + case.address + json.dumps(case.fields, ensure_ascii=False)
    for secret in (ID, "张三明", "12000", "54000", "57000"):  # no ID, name, income or bill amounts in the text
        assert secret not in stored
    client.force_login(world.users["auditor"])
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert ID not in page and "4311**********" in page and "张*明" in page
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_the_income_share_test_applies_when_the_bill_carries_income(tmp_path, world):
    village = world.villages[0]
    # 7,508.50 is above 50% of 12,000 but below the absolute 13,000 of the example policy.
    _calc(tmp_path, [_bill("b1", ID, village.code, household_income="12000")])
    assert Case.objects.filter(category__code=RISK_CATEGORY).count() == 1
    _calc(tmp_path, [_bill("b1", "p-2", village.code, household_income="20000")])
    assert Case.objects.filter(category__code=RISK_CATEGORY).count() == 1


@pytest.mark.django_db
def test_without_a_known_village_nothing_is_opened_and_it_says_why(tmp_path, world):
    out = _calc(tmp_path, [_bill("b1", ID, None), _bill("b2", "p-2", "431102999999")], "--risk-threshold", "5000")
    assert not Case.objects.exists()
    assert "未开工单" in out and out.count("未开工单") == 2


@pytest.mark.django_db
def test_people_with_a_rejected_bill_are_not_judged(tmp_path, world):
    village = world.villages[0]
    bad = {**_bill("b2", ID, village.code), "hospital_level": "9"}
    with pytest.raises(CommandError):
        _calc(tmp_path, [_bill("b1", ID, village.code), bad], "--risk-threshold", "5000")
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_auditors_cannot_open_risk_cases(world):
    policy = load_example_policy()
    run = run_calc(policy, [_bill("b1", ID, world.villages[0].code)])
    with pytest.raises(NotPermitted):
        do_open_risk_cases(run.risks("5000"), triggered_by=world.users["auditor"], via="test", policy=policy)
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_missing_category_changes_nothing(world):
    from jiceng.cases.models import Category

    Category.objects.filter(code=RISK_CATEGORY).update(active=False)
    policy = load_example_policy()
    run = run_calc(policy, [_bill("b1", ID, world.villages[0].code)])
    with pytest.raises(InvalidInput):
        do_open_risk_cases(run.risks("5000"), triggered_by=None, via="test", policy=policy)
    assert not Case.objects.exists()


def test_a_risk_section_needs_a_test():
    bad = SIMPLE_TOML + '\n[risk]\nsource = "x"\n'
    with pytest.raises(PolicyError, match="^risk："):
        load_policy(bad)


@hsettings(max_examples=60, deadline=None)
@given(
    totals=st.lists(st.integers(min_value=0, max_value=80_000), min_size=1, max_size=4),
    threshold=st.integers(min_value=0, max_value=60_000),
)
def test_a_person_year_is_found_exactly_when_its_self_pay_is_above_the_threshold(totals, threshold):
    policy = load_example_policy()
    bills = [{"id": f"b{i}", "person": "p", "category": "ordinary", "date": f"2022-0{i + 1}-01", "hospital_level": "2",
              "total": str(t), "in_policy": str(t // 2)} for i, t in enumerate(totals)]
    run = run_calc(policy, bills, explain=False)
    self_pay = sum((r.self_pay for r in run.results), Decimal(0))
    found = find_risks(run.bills, run.results, threshold=threshold)
    assert bool(found) == (self_pay > threshold)
    if found:
        assert found[0].self_pay == self_pay and found[0].bills == len(totals)
