"""Every adapter shows the same Chinese message, with the field's label and the row, once per problem."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from ninja.testing import TestClient

from jiceng.insurance import check_digit
from jiceng.insurance.api import router

pytestmark = pytest.mark.django_db

GOOD_ID = "43110219800101001" + check_digit("43110219800101001")
BAD_ID = GOOD_ID[:-1] + ("1" if GOOD_ID[-1] != "1" else "2")
RAW_KEYS = re.compile(r"\b(id_number|hospital_level|in_policy|total|category|area|household_income)：")


def _bills(id_number: str = BAD_ID) -> list[dict]:
    base = {"person": "p-1", "category": "dibao", "hospital_level": "3", "id_number": id_number}
    return [{**base, "id": "a", "date": "2026-03-01", "total": "57000", "in_policy": "54000"},
            {**base, "id": "b", "date": "2026-05-01", "total": "abc", "in_policy": "100"},
            {**base, "id": "c", "date": "2026-07-01", "total": "300", "in_policy": "300"}]


def _form(**extra: str) -> dict[str, str]:
    data = {"category": "dibao", "name": "张三明", "rows": "3", "action": "calc", "id_number": BAD_ID,
            "date_0": "2026-03-01", "hospital_level_0": "3", "total_0": "57000", "in_policy_0": "54000",
            "date_1": "2026-05-01", "hospital_level_1": "2", "total_1": "20000", "in_policy_1": "20000",
            "date_2": "2026-06-01", "hospital_level_2": "1", "total_2": "abc", "in_policy_2": "100"}
    data.update(extra)
    return data


def _messages_in(page: str) -> list[str]:
    return re.findall(r'<li class="field-error">(.*?)</li>', page)


def test_the_web_form_reports_a_bad_id_once_for_all_rows(world, client):
    client.force_login(world.users["county-civil_affairs"])
    page = client.post("/insurance/calc/", _form()).content.decode()
    messages = _messages_in(page)
    assert messages[0].startswith("第 1、2、3 行 身份证号码：校验码错误")
    assert messages[1] == "第 3 行 总费用：金额格式不正确：&#x27;abc&#x27;"
    assert len(messages) == 2 and not any(RAW_KEYS.search(m) for m in messages)


def test_the_command_line_and_the_api_show_the_same_messages(world, tmp_path):
    path = tmp_path / "bills.json"
    path.write_text(json.dumps(_bills(), ensure_ascii=False), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("insurance", "calc", "--bills", str(path), "--out", str(tmp_path / "o.json"), stdout=io.StringIO(), stderr=err)
    cli = [line.removeprefix("未计算：") for line in err.getvalue().splitlines()]
    data = TestClient(router).post("/calc", json={"bills": _bills()}, user=world.users["county-civil_affairs"]).json()
    api = [m["text"] for m in data["messages"]]
    assert cli == api
    assert api[0].startswith("第 1、2、3 行（账单 a、b、c） 身份证号码：校验码错误")
    assert api[1] == "第 2 行（账单 b） 总费用：金额格式不正确：'abc'"
    assert data["messages"][0]["label"] == "身份证号码" and data["messages"][0]["rows"] == [1, 2, 3]
    assert not any(RAW_KEYS.search(t) for t in api)


def test_a_year_without_a_policy_says_what_is_covered_everywhere(world, client, tmp_path):
    client.force_login(world.users["county-civil_affairs"])
    page = client.post("/insurance/calc/", _form(id_number=GOOD_ID, date_2="2027-01-05", total_2="300", in_policy_2="300")).content.decode()
    (message,) = _messages_in(page)
    assert message.startswith("第 3 行 就诊日期：没有适用于 2027-01-05 的医疗保障政策。已有的政策：")
    assert "2026-01-01 至 2026-12-31" in message and "jiceng insurance policy add" in message
    bills = [{**_bills(GOOD_ID)[0], "date": "2027-01-05"}]
    data = TestClient(router).post("/calc", json={"bills": bills}, user=world.users["county-civil_affairs"]).json()
    assert data["messages"][0]["text"] == message.replace("第 3 行", "第 1 行（账单 a）").replace("&#x27;", "'")


def test_a_form_level_error_shows_the_label_not_the_key(world, client):
    client.force_login(world.users["county-civil_affairs"])
    page = client.post("/insurance/calc/", _form(policy="upload")).content.decode()
    assert "政策文件：" in page and "policy_file" not in page.split('role="alert"')[1][:200]


def test_roster_problems_read_the_same_on_the_command_line_and_the_api(world, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    roster = "身份证号码\n" + GOOD_ID + "\n"
    vulnerable = f"身份证号码,姓名,人员类别,村（社区）代码\n{BAD_ID},李四,低保,431102\n"
    (tmp_path / "r.csv").write_text(roster, encoding="utf-8")
    (tmp_path / "v.csv").write_text(vulnerable, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("insurance", "roster-check", "--roster", str(tmp_path / "r.csv"), "--vulnerable", str(tmp_path / "v.csv"),
                     stdout=io.StringIO(), stderr=err)
    data = TestClient(router).post("/roster-check", FILES={
        "roster": SimpleUploadedFile("r.csv", roster.encode()), "vulnerable": SimpleUploadedFile("v.csv", vulnerable.encode())},
        user=world.users["county-civil_affairs"]).json()
    assert err.getvalue().splitlines() == [p["text"] for p in data["problems"]]
    assert data["problems"][0]["text"].startswith("困难群体名单 第 2 行 A（身份证号码） 列：校验码错误")


def test_a_rejected_row_is_also_told_when_no_policy_covers_its_date(world, client):
    client.force_login(world.users["county-civil_affairs"])
    page = client.post("/insurance/calc/", _form(date_2="2027-01-05")).content.decode()
    messages = _messages_in(page)
    assert messages[0].startswith("第 1、2、3 行 身份证号码：校验码错误")
    assert any(m.startswith("第 3 行 就诊日期：没有适用于 2027-01-05") for m in messages)
