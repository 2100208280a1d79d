"""The worked example in docs/medical-protection.md, on the shipped example policy.

Example policy: level 2 500 / 70%, level 3 1,000 / 60%; critical deductible
26,000 × 50% = 13,000 (dibao: 6,500, +5 points, first segment 65%, no cap);
dibao assistance 1,300 / 70% / cap 60,000; pneumoconiosis +10 points on basic
and 50% aid on what is left.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jiceng.insurance import Bill, calculate_year, load_example_policy, result_to_json

from .helpers import D

DOC = Path(__file__).resolve().parents[2] / "docs" / "medical-protection.md"


def _bills():
    return [
        Bill("2022-001", "甲", "dibao", dt.date(2022, 5, 10), "3", D(57000), D(54000)),
        Bill("2022-002", "甲", "dibao", dt.date(2022, 9, 2), "2", D(20000), D(20000)),
        Bill("2022-003", "乙", "ordinary", dt.date(2022, 5, 10), "3", D(57000), D(54000)),
        Bill("2022-004", "丙", "ordinary", dt.date(2022, 6, 1), "3", D(30000), D(30000), ("pneumoconiosis",)),
    ]


@pytest.fixture(scope="module")
def results():
    return {r.id: r for r in calculate_year(load_example_policy(), _bills())}


def test_the_57000_stay_of_a_dibao_person(results):
    r = results["2022-001"]
    # basic (54,000 − 1,000) × 60% = 31,800; S = 22,200
    assert r.basic == D("31800.00")
    # critical (22,200 − 6,500) × 65% = 10,205
    assert r.critical == D("10205.00")
    # assistance (22,200 − 10,205 − 1,300) × 70% = 10,695 × 0.7 = 7,486.50
    assert r.assistance == D("7486.50")
    # self-pay 57,000 − 49,491.50 = 7,508.50 (3,000 out-of-policy + 4,508.50)
    assert r.self_pay == D("7508.50")
    # 49,491.50 / 57,000 = 0.868271… -> 0.8683 (the seed's "≈ 86%")
    assert r.reimbursed_ratio == D("0.8683")


def test_the_same_persons_second_stay_accumulates(results):
    r = results["2022-002"]
    # basic (20,000 − 500) × 70% = 13,650; burden 6,350; S = 28,550
    assert r.basic == D("13650.00")
    # cumulative critical (28,550 − 6,500) × 65% = 14,332.50; minus 10,205 = 4,127.50
    assert r.critical == D("4127.50")
    # left this year 28,550 − 14,332.50 = 14,217.50; (14,217.50 − 1,300) × 70% = 9,042.25;
    # minus 7,486.50 = 1,555.75
    assert r.assistance == D("1555.75")
    # 20,000 − 13,650 − 4,127.50 − 1,555.75 = 666.75; 19,333.25 / 20,000 = 0.96666… -> 0.9667
    assert r.self_pay == D("666.75")
    assert r.reimbursed_ratio == D("0.9667")


def test_the_same_stay_for_an_ordinary_person(results):
    r = results["2022-003"]
    # critical (22,200 − 13,000) × 60% = 5,520; no assistance
    assert (r.basic, r.critical, r.assistance) == (D("31800.00"), D("5520.00"), D("0.00"))
    # 57,000 − 37,320 = 19,680; 37,320 / 57,000 = 0.654736… -> 0.6547
    assert r.self_pay == D("19680.00")
    assert r.reimbursed_ratio == D("0.6547")


def test_a_pneumoconiosis_worker(results):
    r = results["2022-004"]
    # basic (30,000 − 1,000) × 70% = 20,300; S = 9,700 < 13,000; aid 9,700 × 50% = 4,850
    assert (r.basic, r.critical, r.special_aid, r.self_pay) == (
        D("20300.00"),
        D("0.00"),
        D("4850.00"),
        D("4850.00"),
    )
    # 25,150 / 30,000 = 0.838333… -> 0.8383
    assert result_to_json(r)["reimbursed_ratio"] == "0.8383"


def test_the_document_shows_these_numbers():
    text = DOC.read_text(encoding="utf-8")
    for number in ("31,800.00", "10,205.00", "7,486.50", "7,508.50", "86.83%", "4,127.50", "1,555.75", "666.75",
                   "5,520.00", "19,680.00", "4,850.00"):
        assert number in text, number
