"""GB 11643 ID numbers: a valid one is accepted with its birth date and sex; each kind of invalid one is refused with its reason."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.errors import InvalidInput
from jiceng.people import identity
from jiceng.people.idnumber import IdNumberError, birth_date_of, make_id_number, sex_of, validate_id_number

VALID = make_id_number("431102", dt.date(1990, 1, 1), 123)  # sequence 123: odd → male


def test_a_valid_number_gives_birth_date_and_sex():
    assert validate_id_number(VALID) == VALID
    assert birth_date_of(VALID) == dt.date(1990, 1, 1)
    assert sex_of(VALID) == "M"
    assert sex_of(make_id_number("431102", dt.date(1990, 1, 1), 124)) == "F"
    fields = identity.identity_fields(VALID)
    assert fields["birth_date"] == dt.date(1990, 1, 1) and fields["sex"] == "M"


def test_spreadsheet_spellings_are_normalised():
    lower_x = next(make_id_number("110101", dt.date(1985, 6, d), 7) for d in range(1, 29)
                   if make_id_number("110101", dt.date(1985, 6, d), 7).endswith("X"))
    assert validate_id_number(" '" + lower_x.lower()) == lower_x
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in VALID)
    assert validate_id_number(full_width) == VALID


@pytest.mark.parametrize("value, reason", [
    ("", "不能为空"),
    ("43110219900101", "应为18位"),
    ("431102900101123", "15位旧身份证"),
    ("43110219900101A23X", "前17位必须是数字"),
    ("43110219900101123Y", "第18位只能是数字或X"),
    ("991102199001011230", "省级代码"),
    ("431102199002301230", "不是有效日期"),
    ("431102184001011230", "不合理"),
])
def test_each_kind_of_invalid_number_is_refused_with_its_reason(value, reason):
    with pytest.raises(IdNumberError, match=reason):
        validate_id_number(value)


def test_a_future_birth_date_is_refused():
    future = make_id_number("431102", dt.date.today() + dt.timedelta(days=2), 1)
    with pytest.raises(IdNumberError, match="不合理"):
        validate_id_number(future)


def test_a_wrong_check_character_names_the_expected_one():
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    with pytest.raises(IdNumberError, match=f"应为{VALID[17]}"):
        validate_id_number(wrong)


def test_the_registry_reports_it_under_the_field_label():
    with pytest.raises(InvalidInput) as exc:
        identity.clean_id_number("123")
    assert exc.value.field == "id_number" and exc.value.message.startswith("身份证号码")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)), st.integers(0, 999), st.integers(0, 16))
def test_every_generated_number_validates_and_any_one_digit_change_is_caught(born, seq, pos):
    number = make_id_number("431102", born, seq)
    assert validate_id_number(number) == number and birth_date_of(number) == born
    changed = number[:pos] + str((int(number[pos]) + 1) % 10) + number[pos + 1:]
    with pytest.raises(IdNumberError):
        validate_id_number(changed)


def test_the_reasons_speak_the_readers_language():
    from django.utils import translation

    bad = make_id_number("431102", dt.date(1980, 5, 17), 3)[:-1] + "0"
    bad = bad if validate_check(bad) else bad[:-1] + "1"
    with translation.override("en"), pytest.raises(IdNumberError, match="Wrong check digit"):
        validate_id_number(bad)
    with translation.override("zh-hans"), pytest.raises(IdNumberError, match="校验码错误"):
        validate_id_number(bad)
    with translation.override("en"), pytest.raises(IdNumberError, match="18 characters, this one has 5"):
        validate_id_number("43110")


def validate_check(number: str) -> bool:
    """Whether ``number``'s last character is wrong (so the test above has a bad check digit to refuse)."""
    try:
        validate_id_number(number)
    except IdNumberError:
        return True
    return False
