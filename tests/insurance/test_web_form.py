"""The staff pages: one person's bills with every step in Chinese, printable; roster and subsidy."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from jiceng.cases.models import Case
from jiceng.insurance import check_digit
from tests.insurance.helpers import SIMPLE_TOML

pytestmark = pytest.mark.django_db

ID = "43110219800101001" + check_digit("43110219800101001")


def _form(**extra: str) -> dict[str, str]:
    data = {"policy": "example-hunan-2022", "category": "dibao", "name": "张三明", "rows": "3", "action": "calc",
            "date_0": "2022-03-01", "hospital_level_0": "3", "total_0": "57000", "in_policy_0": "54000",
            "date_1": "2022-05-01", "hospital_level_1": "2", "total_1": "20000", "in_policy_1": "20000"}
    data.update(extra)
    return data


def _township_staff(world):
    return world.users[f"tz-{world.townships[0].code[6:9]}"]


def test_residents_and_strangers_are_kept_out(world, client):
    assert client.get("/insurance/calc/").status_code == 302
    client.force_login(world.users["resident-1"])
    assert client.get("/insurance/calc/").status_code == 403
    assert "/insurance/" not in client.get("/").content.decode()


def test_the_form_renders_every_step_in_chinese_and_prints_as_an_explanation(world, client):
    client.force_login(world.users["county-medical_insurance"])
    assert "/insurance/" in client.get("/").content.decode()  # the nav link
    index = client.get("/insurance/").content.decode()
    assert "湖南省永州市城乡居民医疗保障三重制度（2022 年度，示例）" in index and "example-hunan-2022" not in index
    response = client.post("/insurance/calc/", _form())
    page = response.content.decode()
    assert response.status_code == 200
    assert "基本医保：三级（市级及以上医院）起付线 1,000.00 元（按次计算）" in page
    assert "大病保险第 1 段" in page and "医疗救助（低保对象）" in page
    assert "合计：总费用 57,000.00 元" in page and "报销比例 86.83%" in page
    assert "本年此前已付 10,205.00 元，本次支付 4,127.50 元" in page  # the second stay accumulates
    assert "张三明" in page and 'class="card sheet"' in page
    assert "@page" not in page and "insurance/insurance.css" in page


def test_a_bad_row_is_reported_and_the_others_computed(world, client):
    client.force_login(_township_staff(world))
    page = client.post("/insurance/calc/", _form(in_policy_1="30000")).content.decode()
    assert "政策范围内费用大于总费用" in page
    assert "合计：总费用 57,000.00 元" in page


def test_add_row_keeps_what_was_typed(world, client):
    client.force_login(_township_staff(world))
    page = client.post("/insurance/calc/", _form(action="add_row")).content.decode()
    assert 'name="total_3"' in page and 'value="57000"' in page and "基本医保：" not in page


def test_an_uploaded_policy_is_used_and_a_bad_one_is_refused(world, client):
    client.force_login(_township_staff(world))
    good = SimpleUploadedFile("p.toml", SIMPLE_TOML.encode("utf-8"))
    page = client.post("/insurance/calc/", {**_form(policy="upload"), "policy_file": good}).content.decode()
    assert "单元测试政策" in page and "基本医保：" in page
    bad = SimpleUploadedFile("p.toml", SIMPLE_TOML.replace("ratio = 0.9", "ratio = 9").encode("utf-8"))
    response = client.post("/insurance/calc/", {**_form(policy="upload"), "policy_file": bad})
    assert response.status_code == 400 and "basic.levels.1.ratio" in response.content.decode()


def test_the_form_can_open_a_risk_case_once(world, client):
    village = world.villages[0]
    client.force_login(world.users["county-medical_insurance"])
    form = _form(id_number=ID, area=village.code, household_income="10000", open_risk_case="on")
    client.post("/insurance/calc/", form)
    page = client.post("/insurance/calc/", form).content.decode()
    assert Case.objects.filter(category__code="fanpin-illness", area=village).count() == 1
    assert "A case for this person and year already exists" in page or "已存在" in page


def test_a_risk_case_needs_an_id_number(world, client):
    client.force_login(_township_staff(world))
    response = client.post("/insurance/calc/", _form(area=world.villages[0].code, open_risk_case="on"))
    assert response.status_code == 400 and not Case.objects.exists()


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_roster_upload_returns_excel_masked_outside_the_users_area(world, client):
    inside, outside = world.villages[0], world.villages[-1]
    other = "43110219800101002" + check_digit("43110219800101002")
    township = world.users[f"tz-{inside.code[6:9]}"]
    assert inside.code[:9] != outside.code[:9]
    client.force_login(township)
    vulnerable = _xlsx([["身份证号码", "姓名", "人员类别", "村（社区）代码"], [ID, "张三明", "低保", inside.code],
                        [other, "李四光", "特困", outside.code]])
    response = client.post("/insurance/roster-check/", {
        "roster": SimpleUploadedFile("r.csv", "身份证号码\n".encode()),
        "vulnerable": SimpleUploadedFile("v.xlsx", vulnerable),
    })
    assert response.status_code == 200 and response["Content-Disposition"].endswith('"roster-check.xlsx"')
    rows = {r[0]: r for r in load_workbook(io.BytesIO(response.content))["未参保人员"].iter_rows(min_row=2, values_only=True)}
    assert rows[inside.code][2:4] == ("张三明", ID)
    assert rows[outside.code][2] == "李*光" and rows[outside.code][3] != other


def test_the_roster_page_names_a_missing_column(world, client):
    client.force_login(_township_staff(world))
    response = client.post("/insurance/roster-check/", {
        "roster": SimpleUploadedFile("r.csv", "姓名\n张三\n".encode()),
        "vulnerable": SimpleUploadedFile("v.csv", "身份证号码\n".encode()),
    })
    assert response.status_code == 400 and "找不到“身份证号码”列" in response.content.decode()


def test_the_subsidy_page_totals_by_area(world, client):
    village = world.villages[0]
    client.force_login(_township_staff(world))
    people = f"村（社区）代码,人员类别\n{village.code},特困\n{village.code},低保\n{village.code},普通\n".encode()
    page = client.post("/insurance/subsidy/", {"policy": "example-hunan-2022",
                                               "people": SimpleUploadedFile("p.csv", people)}).content.decode()
    assert village.name in page and "480.00" in page
