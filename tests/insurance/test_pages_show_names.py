"""The pages show a policy's name and years, and hospital levels as an official writes them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_index_lists_each_policy_by_name_and_years(world, client):
    client.force_login(world.users["county-civil_affairs"])
    page = client.get("/insurance/").content.decode()
    for year in (2022, 2025, 2026):
        assert f"湖南省永州市城乡居民医疗保障三重制度（{year} 年度，示例）" in page
        assert f"{year}-01-01 至 {year}-12-31" in page
    assert "example-hunan" not in page and "431100" in page


def test_hospital_levels_read_as_words(world, client):
    client.force_login(world.users["county-civil_affairs"])
    form = client.get("/insurance/calc/").content.decode()
    assert ">一级医院<" in form and ">三级医院<" in form and "级医院" in form and "1级医院" not in form
    page = client.post("/insurance/calc/", {
        "category": "dibao", "rows": "1", "action": "calc", "date_0": "2026-03-01", "hospital_level_0": "3",
        "total_0": "57000", "in_policy_0": "54000"}).content.decode()
    assert "2026-03-01 · 三级医院" in page and "3级医院" not in page
    assert "湖南省永州市城乡居民医疗保障三重制度（2026 年度，示例）" in page  # chosen by the date


def test_a_bill_may_name_the_level_in_words(world):
    from jiceng.insurance.bills import parse_bills

    bills, errors = parse_bills([{"id": "1", "person": "p", "category": "低保", "date": "2026-01-02",
                                  "hospital_level": "二级医院", "total": "10", "in_policy": "10"}])
    assert errors == [] and bills[0].hospital_level == "2"
