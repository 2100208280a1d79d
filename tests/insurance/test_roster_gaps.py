"""roster_gaps: vulnerable people not yet insured, by village, and bad rows."""

from __future__ import annotations

from jiceng.insurance import check_digit, roster_gaps


def _id(body17: str) -> str:
    return body17 + check_digit(body17)


A = _id("43110219800101001")
B = _id("43110219800101002")
C = _id("43110219800101003")
E = _id("43110219800101005")
V1 = "431102001001"
V2 = "431102001002"


def test_it_lists_missing_people_by_village_and_bad_rows():
    insured = [A, E.lower()]
    rows = [
        {"id_number": A, "name": "张三", "category": "dibao", "village_code": V1},  # 1: insured
        {"id_number": B, "name": "李四", "category": "特困", "village_code": V2},  # 2: missing
        {"id_number": C, "name": "王五", "category": "monitored", "village_code": V1},  # 3: missing
        {"id_number": A[:-1] + ("0" if A[-1] != "0" else "1"), "name": "错号", "category": "dibao",
         "village_code": V1},  # 4: bad check digit
        {"id_number": B, "name": "李四", "category": "tekun", "village_code": V2},  # 5: repeat of 2
        {"id_number": E, "name": "", "category": "ordinary", "village_code": "123"},  # 6: three problems
    ]
    missing, bad = roster_gaps(insured, rows)
    assert list(missing) == [V1, V2]
    assert missing[V1] == [{"row": 3, "id_number": C, "name": "王五", "category": "monitored"}]
    assert missing[V2] == [{"row": 2, "id_number": B, "name": "李四", "category": "tekun"}]
    assert [row for row, _ in bad] == [4, 5, 6]
    reasons = dict(bad)
    assert "校验码错误" in reasons[4]
    assert "第 2 行重复" in reasons[5]
    assert "姓名不能为空" in reasons[6]
    assert "不是困难群体" in reasons[6]
    assert "12位数字" in reasons[6]


def test_nobody_is_missing_when_everyone_is_insured():
    rows = [{"id_number": A, "name": "张三", "category": "dibao", "village_code": V1}]
    assert roster_gaps([A], rows) == ({}, [])
