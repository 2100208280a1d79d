"""parse_bills: bad bills are reported by id with a Chinese reason; good ones are kept."""

from __future__ import annotations

import json

from jiceng.insurance import calculate_year, parse_bills

from .helpers import D, simple_policy

GOOD = {
    "id": "ok-1",
    "person": "430000",
    "category": "dibao",
    "date": "2022-03-01",
    "hospital_level": 3,
    "total": "29000",
    "in_policy": 29000,
}


def _with(**changes):
    raw = dict(GOOD)
    for key, value in changes.items():
        if value is _DROP:
            raw.pop(key)
        else:
            raw[key] = value
    return raw


_DROP = object()


def _reason(raw, policy=None):
    bills, errors = parse_bills([raw], policy)
    assert bills == []
    [error] = errors
    return error


def test_a_good_bill_is_parsed_and_normalised():
    [bill], errors = parse_bills([GOOD])
    assert errors == []
    assert (bill.id, bill.category, bill.hospital_level, bill.total) == ("ok-1", "dibao", "3", D("29000.00"))
    assert bill.date.isoformat() == "2022-03-01"


def test_it_reports_a_missing_field():
    error = _reason(_with(in_policy=_DROP))
    assert error["id"] == "ok-1"
    assert "政策范围内费用：未填写" in error["reason"] and "in_policy" not in error["reason"]


def test_it_reports_bad_amounts():
    assert "金额格式不正确" in _reason(_with(total="12,000"))["reason"]
    assert "不能为负数" in _reason(_with(in_policy=-5))["reason"]
    assert "两位小数" in _reason(_with(total="100.001"))["reason"]
    assert "布尔" in _reason(_with(total=True))["reason"]


def test_it_reports_in_policy_above_total():
    assert "政策范围内费用大于总费用" in _reason(_with(total="100", in_policy="100.01"))["reason"]


def test_it_reports_an_unknown_category():
    assert "未知的人员类别" in _reason(_with(category="vip"))["reason"]


def test_it_accepts_chinese_category_names():
    [bill], _ = parse_bills([_with(category="特困人员")])
    assert bill.category == "tekun"


def test_it_reports_an_unknown_hospital_level():
    assert "未知的医院等级" in _reason(_with(hospital_level="4"))["reason"]


def test_it_reports_a_bad_date():
    assert "日期格式不正确" in _reason(_with(date="2022-02-30"))["reason"]
    assert "日期格式不正确" in _reason(_with(date="2022/03/01"))["reason"]


def test_with_a_policy_it_reports_a_date_outside_the_period():
    assert "有效期" in _reason(_with(date="2021-12-31"), simple_policy())["reason"]


def test_it_lists_every_problem_of_a_bill():
    error = _reason(_with(category="vip", hospital_level=9))
    assert "未知的人员类别" in error["reason"] and "未知的医院等级" in error["reason"]
    assert "；" in error["reason"]


def test_bad_bills_are_reported_by_id_and_good_ones_still_computed():
    raws = [
        GOOD,
        _with(id="bad-1", total="abc"),
        "not an object",
        _with(id="ok-2", date="2022-04-01"),
        _with(id="ok-1", date="2022-05-01"),  # repeated id
    ]
    bills, errors = parse_bills(raws)
    assert [b.id for b in bills] == ["ok-1", "ok-2"]
    assert [(e["index"], e["id"]) for e in errors] == [(1, "bad-1"), (2, None), (4, "ok-1")]
    assert "重复" in errors[2]["reason"]
    results = calculate_year(simple_policy(), bills)
    # ok-1: X = 29,000 dibao: basic 14,000, critical 6,000, assistance 4,000 (see test_assistance_tier)
    assert results[0].assistance == D("4000.00")


def test_it_reads_json_text_and_groups():
    text = json.dumps([_with(groups=["pneumoconiosis"])])
    [bill], errors = parse_bills(text)
    assert errors == []
    assert bill.groups == ("pneumoconiosis",)
    assert "特殊群体：" in _reason(_with(groups="pneumoconiosis"))["reason"]
