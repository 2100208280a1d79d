"""Address keys: the same place written differently gives the same key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.triage.text import normalise_address


@pytest.mark.parametrize(("a", "b"), [
    ("建设路３栋２单元", "建设路3栋2单元"),          # full-width digits
    ("建设路 3栋 2单元", "建设路3栋2单元"),          # spaces
    ("建设路，3栋（2单元）", "建设路3栋2单元"),      # punctuation
    ("建设路3幢2单元", "建设路3栋2单元"),            # 幢 = 栋
    ("建设路3座2单元", "建设路3栋2单元"),            # 座 = 栋
    ("建设路三栋二单元", "建设路3栋2单元"),          # Chinese numerals
    ("人民路十二号", "人民路12号"),
    ("人民路12號", "人民路12号"),                    # traditional 號
    ("幸福小区3-2", "幸福小区3栋2"),                 # 3-2 means building 3
    ("ＡＢＣ小区一百零五号", "abc小区105号"),
])
def test_variants_of_one_address_share_a_key(a, b):
    assert normalise_address(a) == normalise_address(b)


def test_different_numbers_stay_different():
    assert normalise_address("建设路3栋2单元") != normalise_address("建设路3栋3单元")
    assert normalise_address("人民路12号") != normalise_address("人民路21号")


def test_an_empty_address_has_an_empty_key():
    assert normalise_address("  ") == "" and normalise_address("") == ""


@given(st.text(alphabet="建设路人民号栋幢单元0123456789一二三十 ，-", max_size=30))
def test_normalising_is_idempotent(text):
    once = normalise_address(text)
    assert normalise_address(once) == once
