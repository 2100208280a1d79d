"""A malformed or inconsistent policy is refused with PolicyError naming the key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiceng.insurance import PolicyError, load_policy
from jiceng.insurance.policy import policy_from_dict

from .helpers import SIMPLE_TOML, simple_dict


def _segments_out_of_order(d):
    d["critical"]["segments"] = [
        {"upto": 10000, "ratio": Decimal("0.5")},
        {"upto": 20000, "ratio": Decimal("0.6")},
        {"upto": 15000, "ratio": Decimal("0.65")},
        {"ratio": Decimal("0.7")},
    ]


def _first_segment_zero(d):
    d["critical"]["segments"][0]["upto"] = 0


def _middle_segment_open(d):
    del d["critical"]["segments"][1]["upto"]


def _last_segment_bounded(d):
    d["critical"]["segments"][2]["upto"] = 90000


def _no_segments(d):
    d["critical"]["segments"] = []


def _drop_level_3(d):
    del d["basic"]["levels"]["3"]


def _level_4(d):
    d["basic"]["levels"]["4"] = {"deductible": 0, "ratio": Decimal("0.5")}


def _set(path, value):
    def change(d):
        *parents, last = path
        table = d
        for key in parents:
            table = table[key]
        table[last] = value

    return change


def _delete(path):
    def change(d):
        *parents, last = path
        table = d
        for key in parents:
            table = table[key]
        del table[last]

    return change


CASES = [
    (_segments_out_of_order, "critical.segments[2].upto", "分段上限必须递增"),
    (_first_segment_zero, "critical.segments[0].upto", "分段上限必须大于 0"),
    (_middle_segment_open, "critical.segments[1].upto", "只有最后一段可以不设上限"),
    (_last_segment_bounded, "critical.segments[2].upto", "最后一段不设上限"),
    (_no_segments, "critical.segments", "至少一段"),
    (_set(["basic", "levels", "2", "ratio"], Decimal("1.2")), "basic.levels.2.ratio", "0 到 1"),
    (_set(["critical", "segments", 0, "ratio"], Decimal("-0.1")), "critical.segments[0].ratio", "0 到 1"),
    (_set(["assistance", "dibao", "ratio"], Decimal("0.12345")), "assistance.dibao.ratio", "四位小数"),
    (_drop_level_3, "basic.levels.3", "缺少该医院等级"),
    (_level_4, "basic.levels.4", "未知的医院等级"),
    (_set(["critical", "tilt", "categories"], ["tekun", "rich"]), "critical.tilt.categories[1]", "未知的人员类别"),
    (_set(["assistance", "rich"], {"source": "x", "deductible": 0, "ratio": 1, "annual_cap": 1}),
     "assistance.rich", "未知的人员类别"),
    (_set(["subsidy", "shares", "vip"], 1), "subsidy.shares.vip", "未知的人员类别"),
    (_set(["basic", "annual_cap"], -1), "basic.annual_cap", "不能为负数"),
    (_set(["assistance", "dibao", "deductible"], Decimal("-0.01")), "assistance.dibao.deductible", "不能为负数"),
    (_set(["subsidy", "premium"], Decimal("300.001")), "subsidy.premium", "两位小数"),
    (_set(["meta", "effective_to"], "2021-12-31"), "meta.effective_to", "早于起始日期"),
    (_set(["meta", "effective_from"], "2022-13-01"), "meta.effective_from", "日期格式不正确"),
    (_set(["meta", "region"], "4311"), "meta.region", "6位行政区划代码"),
    (_set(["basic", "deductible_per"], "month"), "basic.deductible_per", "admission"),
    (_set(["basic", "deductable"], 1), "basic.deductable", "未知的键"),
    (_set(["critical", "tilt", "ratio_bonus"], Decimal("0.35")), "critical.tilt.ratio_bonus", "超过 1"),
    (_set(["special", "pneumoconiosis", "basic_ratio_bonus"], Decimal("0.15")),
     "special.pneumoconiosis.basic_ratio_bonus", "超过 1"),
    (_set(["special", "Bad-Name"], {"source": "x"}), "special.Bad-Name", "群体代码"),
    (_delete(["critical"]), "critical", "缺少此节"),
    (_delete(["critical", "income_reference"]), "critical.income_reference", "缺少此项"),
    (_delete(["basic", "source"]), "basic.source", "来源"),
    (_set(["basic", "illustrative"], "yes"), "basic.illustrative", "true 或 false"),
    (_set(["critical", "annual_cap"], {"source": "文件"}), "critical.annual_cap.value", "缺少数值"),
    (_set(["critical", "annual_cap"], "unlimited"), "critical.annual_cap", '"none"'),
    (_set(["basic", "levels", "1", "deductible"], "100"), "basic.levels.1.deductible", "必须是数字"),
    (_set(["bonus"], {}), "bonus", "未知的键"),
]


@pytest.mark.parametrize(("change", "key", "reason"), CASES, ids=[c[1] + ":" + c[2] for c in CASES])
def test_it_refuses_a_bad_policy_and_names_the_key(change, key, reason):
    data = simple_dict()
    change(data)
    with pytest.raises(PolicyError) as info:
        policy_from_dict(data)
    assert info.value.key == key
    assert reason in info.value.reason
    # The message starts with the key path, then a full-width colon.
    assert str(info.value).startswith(key + "：")


def test_the_unchanged_simple_policy_is_accepted():
    # Guards the table above: each case must fail only because of its change.
    policy_from_dict(simple_dict())


def test_it_reports_toml_syntax_errors():
    with pytest.raises(PolicyError) as info:
        load_policy(SIMPLE_TOML + "\n[basic\n")
    assert "TOML" in str(info.value)


def test_a_datetime_is_not_a_date():
    text = SIMPLE_TOML.replace("effective_from = 2022-01-01", "effective_from = 2022-01-01T08:00:00")
    with pytest.raises(PolicyError) as info:
        load_policy(text)
    assert info.value.key == "meta.effective_from"


def test_the_segment_order_message_reads_as_documented():
    data = simple_dict()
    _segments_out_of_order(data)
    with pytest.raises(PolicyError, match=r"^critical\.segments\[2\]\.upto：分段上限必须递增$"):
        policy_from_dict(data)
