"""Each result explains itself step by step, and converts to JSON."""

from __future__ import annotations

import json

from jiceng.insurance import calculate_year, result_to_json

from .helpers import bill, simple_policy


def _dibao_result():
    # X = 29,000 dibao: basic 14,000; critical 6,000; assistance 4,000; self-pay 5,000
    [result] = calculate_year(simple_policy(), [bill("29000", category="dibao", bill_id="B-1")])
    return result


def test_json_has_the_documented_keys_and_formats():
    out = result_to_json(_dibao_result())
    assert set(out) == {"id", "basic", "critical", "assistance", "self_pay", "reimbursed_ratio", "steps"}
    assert out["id"] == "B-1"
    assert out["basic"] == "14000.00"
    assert out["critical"] == "6000.00"
    assert out["assistance"] == "4000.00"
    assert out["self_pay"] == "5000.00"
    # 24,000 / 29,000 = 0.827586… -> 0.8276
    assert out["reimbursed_ratio"] == "0.8276"
    # everything is plain JSON
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out


def test_every_step_has_a_tier_a_kind_and_a_chinese_text():
    for step in _dibao_result().steps:
        assert step["tier"] in {"basic", "critical", "assistance", "special", "summary"}
        assert step["kind"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in step["text"])


def test_the_steps_follow_the_tiers_in_order():
    # critical: the deductible, one segment (excess 10,000 fits segment 1 exactly), the total
    tiers = [s["tier"] for s in _dibao_result().steps]
    assert tiers == ["basic", "critical", "critical", "critical", "assistance", "summary"]


def test_the_steps_name_the_deductible_segment_ratio_and_cap():
    steps = _dibao_result().steps
    basic = steps[0]
    assert (str(basic["deductible"]), str(basic["ratio"]), str(basic["cap"])) == ("1000.00", "0.5", "100000.00")
    # S = 15,000; tilted deductible 5,000; excess 10,000 all in segment 1 at 60%
    critical = [s for s in steps if s["tier"] == "critical"]
    assert str(critical[0]["deductible"]) == "5000.00"
    seg = critical[1]
    assert (seg["segment"], str(seg["ratio"]), str(seg["amount"])) == (1, "0.6", "10000.00")
    assistance = [s for s in steps if s["tier"] == "assistance"][0]
    assert (str(assistance["deductible"]), str(assistance["ratio"]), str(assistance["cap"])) == (
        "1000.00",
        "0.5",
        "20000.00",
    )
    assert "1,000.00" in assistance["text"] and "50%" in assistance["text"]


def test_the_summary_step_reads_like_a_receipt():
    summary = _dibao_result().steps[-1]
    assert summary["kind"] == "summary"
    assert "总费用 29,000.00 元" in summary["text"]
    assert "个人自付 5,000.00 元" in summary["text"]
    assert "82.76%" in summary["text"]


def test_explain_false_gives_the_same_amounts_without_steps():
    policy = simple_policy()
    bills = [bill("29000", category="dibao", bill_id="q")]
    [quiet] = calculate_year(policy, bills, explain=False)
    [full] = calculate_year(policy, bills)
    assert quiet.steps == []
    assert (quiet.basic, quiet.critical, quiet.assistance, quiet.self_pay) == (
        full.basic,
        full.critical,
        full.assistance,
        full.self_pay,
    )
