"""Masking rules for personal data (names, phones, ID numbers, exact addresses)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jiceng.people.masking import mask_address, mask_id_number, mask_name, mask_phone, person_fields


def test_the_examples_of_the_issue():
    assert mask_name("张三明") == "张*明"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("43112219900101123X") == "4311**********123X"


def test_an_address_keeps_its_street_and_loses_its_numbers():
    assert mask_address("南津路88号3栋201室") == "南津路**号*栋***室"
    assert mask_address("梧桐村４组") == "梧桐村*组"  # full-width digits too


def test_person_fields_reveal_only_when_asked():
    masked = person_fields("张三明", "13812345678", "", "南津路88号", reveal=False)
    raw = person_fields("张三明", "13812345678", "", "南津路88号", reveal=True)
    assert masked == {"name": "张*明", "phone": "138****5678", "id_number": "", "address": "南津路**号", "masked": True}
    assert raw["name"] == "张三明" and raw["masked"] is False


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_a_masked_phone_never_shows_the_middle_digits(phone):
    masked = mask_phone(phone)
    assert len(masked) == 11 and masked[3:7] == "****" and masked[:3] == phone[:3] and masked[-4:] == phone[-4:]


@given(st.text(min_size=0, max_size=40))
def test_a_masked_address_has_no_digits_and_the_same_length(address):
    masked = mask_address(address)
    assert len(masked) == len(address) and not any(ch.isdigit() for ch in masked)
