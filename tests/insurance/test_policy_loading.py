"""Loading the shipped example policy and the simple test policy."""

from __future__ import annotations

from pathlib import Path

from jiceng.insurance import example_policy_path, load_example_policy, load_policy

from .helpers import SIMPLE_TOML, D, simple_policy


def test_it_loads_the_shipped_example_for_yongzhou_2022():
    policy = load_example_policy()
    assert policy.region == "431100000000"
    assert policy.effective_from.isoformat() == "2022-01-01"
    assert policy.effective_to.isoformat() == "2022-12-31"
    # 26,000 × 50% = 13,000
    assert policy.critical.deductible == D("13000.00")
    assert policy.critical.annual_cap == D("400000")
    assert [s.ratio for s in policy.critical.segments] == [D("0.60"), D("0.65"), D("0.70"), D("0.75")]
    assert [s.upper for s in policy.critical.segments] == [D(50000), D(100000), D(200000), None]
    assert set(policy.assistance) == {"tekun", "dibao", "fanpin", "monitored"}
    assert "ordinary" not in policy.assistance


def test_it_marks_every_number_not_from_a_document_as_illustrative():
    policy = load_example_policy()
    prov = policy.provenance
    assert prov["critical.income_reference"].illustrative is True
    assert prov["critical.segments[0].ratio"].illustrative is True
    assert prov["basic.levels.3.ratio"].illustrative is True
    assert prov["subsidy.premium"].illustrative is True
    # The 50% share and the tilt come from national documents.
    assert prov["critical.deductible_share"].illustrative is False
    assert "医保发〔2019〕30号" in prov["critical.deductible_share"].source
    assert prov["critical.tilt.ratio_bonus"].illustrative is False
    # The computed deductible is illustrative because the income figure is.
    assert prov["critical.deductible"].illustrative is True
    assert all(p.source for p in prov.values())


def test_it_reads_a_policy_from_a_path_a_string_path_or_text():
    path = example_policy_path()
    from_path = load_policy(path)
    from_str = load_policy(str(path))
    from_text = load_policy(Path(path).read_text(encoding="utf-8"))
    assert from_path == from_str == from_text


def test_tilted_terms_halve_the_deductible_add_points_and_drop_the_cap():
    policy = load_example_policy()
    dibao = policy.critical_terms("dibao")
    # 13,000 × 0.5 = 6,500; 60/65/70/75% + 5 points
    assert dibao.deductible == D("6500.00")
    assert dibao.ratios == (D("0.65"), D("0.70"), D("0.75"), D("0.80"))
    assert dibao.annual_cap is None
    monitored = policy.critical_terms("monitored")
    assert monitored.deductible == D("13000.00")
    assert monitored.annual_cap == D("400000")
    assert monitored.tilted is False


def test_the_simple_test_policy_loads_with_inherited_sources():
    policy = simple_policy()
    assert policy.critical.deductible == D("10000.00")
    assert policy.provenance["critical.tilt.cap"].source == "单元测试用"
    assert policy.special["pneumoconiosis"].aid_annual_cap == D("3000")
    assert policy == load_policy(SIMPLE_TOML)
