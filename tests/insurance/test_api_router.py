"""The insurance API router, called through ninja's TestClient with a user."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.testing import TestClient

from jiceng.cases.errors import InvalidInput, NotPermitted
from jiceng.cases.models import Case
from jiceng.insurance import check_digit
from jiceng.insurance.api import router
from tests.insurance.helpers import SIMPLE_TOML

pytestmark = pytest.mark.django_db

ID = "43110219800101001" + check_digit("43110219800101001")
OTHER = "43110219800101002" + check_digit("43110219800101002")
BILL = {"id": "b1", "person": ID, "category": "dibao", "date": "2022-03-01", "hospital_level": "3",
        "total": "57000", "in_policy": "54000"}


@pytest.fixture
def client():
    return TestClient(router)


def test_calc_returns_results_with_steps(world, client):
    bad = {**BILL, "id": "b2", "category": "vip"}
    response = client.post("/calc", json={"policy_id": "example-hunan-2022", "bills": [BILL, bad]},
                           user=world.users["county-medical_insurance"])
    assert response.status_code == 200
    data = response.json()
    (result,) = data["results"]
    assert (result["basic"], result["critical"], result["assistance"], result["special_aid"]) == ("31800.00", "10205.00", "7486.50", "0.00")
    assert result["self_pay"] == "7508.50" and result["reimbursed_ratio"] == "0.8683"
    assert result["steps"][0]["tier"] == "basic" and result["steps"][0]["text"].startswith("基本医保：")
    assert result["steps"][0]["amount"] == "31800.00" and result["steps"][0]["detail"]["deductible"] == "1000.00"
    assert data["errors"] == [{"index": 1, "id": "b2", "reason": data["errors"][0]["reason"]}]
    assert data["errors"][0]["reason"].startswith("人员类别：未知的人员类别：vip")
    assert data["messages"][0]["text"].startswith("第 2 行（账单 b2） 人员类别：未知的人员类别：vip")
    assert data["risk"] == []


def test_calc_accepts_an_inline_policy_and_names_a_bad_key(world, client):
    staff = world.users["county-medical_insurance"]
    ok = client.post("/calc", json={"policy_toml": SIMPLE_TOML, "bills": [BILL]}, user=staff)
    assert ok.json()["policy"] == "单元测试政策"
    with pytest.raises(InvalidInput) as caught:
        client.post("/calc", json={"policy_toml": SIMPLE_TOML.replace("ratio = 0.9", "ratio = 2"), "bills": [BILL]}, user=staff)
    assert caught.value.field == "policy_toml" and caught.value.message.startswith("basic.levels.1.ratio：")
    with pytest.raises(InvalidInput) as caught:
        client.post("/calc", json={"policy_id": "nowhere", "bills": [BILL]}, user=staff)
    assert caught.value.field == "policy_id"


def test_non_staff_are_refused(world, client):
    with pytest.raises(NotPermitted):
        client.post("/calc", json={"policy_id": "example-hunan-2022", "bills": [BILL]}, user=world.users["resident-1"])
    with pytest.raises(NotPermitted):
        client.post("/subsidy", json={"policy_id": "example-hunan-2022", "people": []})  # not logged in


def test_calc_opens_a_risk_case_once_and_shows_its_number_when_visible(world, client):
    village = world.villages[0]
    body = {"policy_id": "example-hunan-2022", "bills": [{**BILL, "area": village.code}], "open_risk_cases": True,
            "risk": {"threshold": "5000"}}
    staff = world.users[f"cun-{village.code}"]
    first = client.post("/calc", json=body, user=staff).json()["risk"]
    second = client.post("/calc", json=body, user=staff).json()["risk"]
    case = Case.objects.get(category__code="fanpin-illness")
    assert first[0]["opened"] and first[0]["case_number"] == case.number
    assert not second[0]["opened"] and second[0]["existing"]
    stranger = world.users[f"cun-{world.villages[-1].code}"]
    hidden = client.post("/calc", json=body, user=stranger).json()["risk"]
    assert hidden[0]["existing"] and hidden[0]["case_number"] is None
    assert Case.objects.count() == 1


def test_auditors_may_compute_but_not_open_cases(world, client):
    auditor = world.users["auditor"]
    assert client.post("/calc", json={"policy_id": "example-hunan-2022", "bills": [BILL]}, user=auditor).status_code == 200
    with pytest.raises(NotPermitted):
        client.post("/calc", json={"policy_id": "example-hunan-2022", "bills": [BILL], "open_risk_cases": True}, user=auditor)


def test_subsidy_totals_by_area(world, client):
    village = world.villages[0]
    people = [{"village_code": village.code, "category": "tekun"}, {"village_code": village.code, "category": "低保"},
              {"village_code": "4311", "category": "dibao"}]
    data = client.post("/subsidy", json={"policy_id": "example-hunan-2022", "people": people},
                       user=world.users["county-medical_insurance"]).json()
    assert data["per_person"]["tekun"] == "320.00" and data["per_person"]["ordinary"] == "0.00"
    (area,) = data["areas"]
    assert (area["village_code"], area["name"], area["people"], area["amount"]) == (village.code, village.name, 2, "480.00")
    assert data["amount"] == "480.00" and data["errors"] == [{"row": 3, "field": "village_code", "label": "村（社区）代码",
                                                   "reason": "应为12位数字（如 431102101201）",
                                                   "text": "第 3 行 村（社区）代码：应为12位数字（如 431102101201）"}]


def _files(village_a: str, village_b: str) -> MultiValueDict:
    vulnerable = (f"身份证号码,姓名,人员类别,村（社区）代码\n{ID},张三明,低保,{village_a}\n{OTHER},李四光,特困,{village_b}\n"
                  f"123,王五,低保,{village_a}\n")
    return MultiValueDict({
        "roster": [SimpleUploadedFile("roster.csv", "身份证号码\n".encode())],
        "vulnerable": [SimpleUploadedFile("vulnerable.csv", vulnerable.encode())],
    })


def test_roster_check_masks_people_outside_the_callers_villages(world, client):
    inside, outside = world.villages[0], world.villages[-1]
    response = client.post("/roster-check", FILES=_files(inside.code, outside.code), user=world.users[f"cun-{inside.code}"])
    assert response.status_code == 200
    data = response.json()
    by_code = {v["village_code"]: v for v in data["villages"]}
    assert not by_code[inside.code]["masked"] and by_code[inside.code]["missing"][0]["id_number"] == ID
    assert by_code[outside.code]["masked"]
    assert by_code[outside.code]["missing"][0]["name"] == "李*光" and OTHER not in str(by_code[outside.code])
    assert data["problems"][0]["row"] == 4 and data["problems"][0]["column"] == "A（身份证号码）"
    # The county medical insurance office organises enrollment everywhere in the county.
    county = client.post("/roster-check", FILES=_files(inside.code, outside.code), user=world.users["county-medical_insurance"]).json()
    assert not any(v["masked"] for v in county["villages"])
    auditor = client.post("/roster-check", FILES=_files(inside.code, outside.code), user=world.users["auditor"]).json()
    assert all(v["masked"] for v in auditor["villages"])


def test_the_openapi_schema_describes_every_endpoint():
    api = NinjaAPI(urls_namespace="insurance-schema-test")
    api.add_router("/v1/insurance/", router)
    schema = api.get_openapi_schema(path_prefix="/api/")
    assert set(schema["paths"]) == {"/api/v1/insurance/calc", "/api/v1/insurance/subsidy", "/api/v1/insurance/roster-check"}
    for name in ("CalcIn", "CalcOut", "BillOut", "StepOut", "SubsidyOut", "RosterOut"):
        assert name in schema["components"]["schemas"]
