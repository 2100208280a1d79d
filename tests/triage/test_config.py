"""Triage configuration: shipped defaults, overridden key by key by the operator's file."""

from __future__ import annotations

from jiceng.triage.config import section


def test_defaults_are_shipped(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("JICENG_TRIAGE_CONFIG", raising=False)
    settings.DATA_DIR = tmp_path
    repeats = section("repeats")
    assert repeats["window_days"] == 30 and repeats["weights"]["same_person"] == 0.6
    router = section("router")
    assert router["coldstart"]["none_score"] > 0 and router["out_of_scope"]["phrasings"]
    assert router["keywords"] == {}  # a county's own words; the shipped ones are in the case configuration


def test_an_operator_file_overrides_only_its_keys(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    (tmp_path / "triage.toml").write_text("[repeats]\nwindow_days = 7\n[repeats.weights]\ntext = 0.9\n", encoding="utf-8")
    named = tmp_path / "county.toml"
    named.write_text("[callers]\nmin_cases = 17\n", encoding="utf-8")
    monkeypatch.setenv("JICENG_TRIAGE_CONFIG", str(named))
    repeats = section("repeats")
    assert repeats["window_days"] == 7 and repeats["weights"]["text"] == 0.9 and repeats["weights"]["same_person"] == 0.6
    assert section("callers") == {"min_cases": 17, "period_days": 90}
