"""The risk link names its case to whoever ran the check and puts it where the village acts on it."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from ninja.testing import TestClient

from jiceng.cases.access import visible_cases
from jiceng.cases.models import Case
from jiceng.insurance import check_digit
from jiceng.insurance.api import router
from jiceng.insurance.models import RiskCaseLink

pytestmark = pytest.mark.django_db

ID = "43110219800101001" + check_digit("43110219800101001")


def _form(village: str) -> dict[str, str]:
    # A 2026 stay of a dibao person: self-pay 7,969.12 > 50% of a 10,000 household income.
    return {"category": "dibao", "name": "张三明", "id_number": ID, "area": village, "household_income": "10000",
            "open_risk_case": "on", "rows": "3", "action": "calc",
            "date_0": "2026-03-01", "hospital_level_0": "3", "total_0": "57000", "in_policy_0": "54000"}


def test_the_civil_affairs_user_is_told_the_number_and_state_and_can_open_it(world, client):
    village = world.villages[0]
    user = world.users["county-civil_affairs"]
    client.force_login(user)
    page = client.post("/insurance/calc/", _form(village.code)).content.decode()
    case = Case.objects.get(category__code="fanpin-illness")
    committee = village.units.get(kind_id="village_committee")
    assert f"已开启因病返贫风险工单 {case.number}（待受理），送{village.name}（{village.code}）{committee.name}受理跟进" in page
    assert f'href="/cases/{case.number}/"' in page or case.number in page
    assert case.area_id == village.code and case.state == "submitted" and case.level == "village"
    assert visible_cases(user).filter(pk=case.pk).exists()
    assert client.get(f"/cases/{case.number}/").status_code == 200


def test_the_village_that_acts_on_it_sees_it(world, client):
    village = world.villages[0]
    client.force_login(world.users["county-civil_affairs"])
    client.post("/insurance/calc/", _form(village.code))
    case = Case.objects.get(category__code="fanpin-illness")
    assert visible_cases(world.users[f"cun-{village.code}"]).filter(pk=case.pk).exists()
    other = world.villages[-1]
    assert not visible_cases(world.users[f"cun-{other.code}"]).filter(pk=case.pk).exists()


def test_another_user_running_again_gets_no_second_case_and_no_number_it_may_not_see(world, client):
    village = world.villages[0]
    client.force_login(world.users["county-civil_affairs"])
    client.post("/insurance/calc/", _form(village.code))
    client.force_login(world.users["county-medical_insurance"])
    page = client.post("/insurance/calc/", _form(village.code)).content.decode()
    case = Case.objects.get(category__code="fanpin-illness")
    assert Case.objects.filter(category__code="fanpin-illness").count() == 1 and RiskCaseLink.objects.count() == 1
    assert "该参保人本年度的因病返贫风险工单已存在（由其他经办人开启）" in page and case.number not in page


def test_the_api_and_the_command_line_name_the_case_too(world, tmp_path):
    village = world.villages[1]
    bill = {"id": "1", "person": ID, "category": "dibao", "date": "2026-03-01", "hospital_level": "3", "total": "57000",
            "in_policy": "54000", "area": village.code, "household_income": "10000"}
    data = TestClient(router).post("/calc", json={"bills": [bill], "open_risk_cases": True},
                                   user=world.users["county-civil_affairs"]).json()
    (risk,) = data["risk"]
    case = Case.objects.get(category__code="fanpin-illness")
    assert (risk["case_number"], risk["case_state"], risk["case_visible"], risk["village"]) == (case.number, "submitted", True, village.name)
    assert risk["message"].startswith("2026 年度个人自付 7,969.12 元，超过因病返贫风险标准：已开启因病返贫风险工单")
    path = tmp_path / "b.json"
    path.write_text(json.dumps([bill]), encoding="utf-8")
    out = io.StringIO()
    call_command("insurance", "calc", "--bills", str(path), "--out", str(tmp_path / "o.json"), "--open-risk-cases", stdout=out)
    assert f"因病返贫风险工单 {case.number}（待受理）已存在，由{village.name}" in out.getvalue()


def test_a_user_who_may_not_file_in_that_village_still_gets_the_case_opened_and_named(world, client):
    village = world.villages[-1]  # in the second township
    staff = world.users[f"tz-{world.townships[0].code[6:9]}"]
    assert not village.code.startswith(world.townships[0].code[:9])
    client.force_login(staff)
    page = client.post("/insurance/calc/", _form(village.code)).content.decode()
    case = Case.objects.get(category__code="fanpin-illness")
    assert case.created_by.username == "system-medical-protection" and case.area_id == village.code
    assert f"已开启因病返贫风险工单 {case.number}（待受理）" in page
    assert RiskCaseLink.objects.get().triggered_by == staff
    assert visible_cases(world.users[f"cun-{village.code}"]).filter(pk=case.pk).exists()
