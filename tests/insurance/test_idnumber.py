"""ID numbers: GB 11643-1999 check character (ISO 7064 MOD 11-2)."""

from __future__ import annotations

import datetime as dt

import pytest

from jiceng.insurance import check_digit, validate_id_number


def test_it_accepts_the_standard_example():
    # 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
    # 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 -> "10X98765432"[2] = X
    assert check_digit("11010519491231002") == "X"
    assert validate_id_number("11010519491231002X") == "11010519491231002X"


def test_it_normalises_case_spaces_and_full_width_characters():
    assert validate_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert validate_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
    assert validate_id_number("'11010519491231002X") == "11010519491231002X"


def test_it_rejects_a_bad_check_digit_and_says_what_it_should_be():
    with pytest.raises(ValueError, match="校验码错误：按前17位计算应为X，实际为1"):
        validate_id_number("110105194912310021")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "不能为空"),
        ("1101051949123100", "应为18位"),
        ("110105491231002", "15位旧身份证号码"),
        ("11010519491231A02X", "前17位必须是数字"),
        ("11010519491231002Y", "第18位"),
        ("00010519491231002X", "省级代码"),
        ("110105194902310020", "不是有效日期"),
    ],
)
def test_it_rejects_malformed_numbers_with_a_chinese_reason(value, reason):
    with pytest.raises(ValueError, match=reason):
        validate_id_number(value)


def test_it_rejects_a_birth_date_in_the_future():
    body = "11010520300101001"
    number = body + check_digit(body)
    with pytest.raises(ValueError, match="不合理"):
        validate_id_number(number, today=dt.date(2022, 1, 1))
    assert validate_id_number(number, today=dt.date(2031, 1, 1)) == number
