"""Statistical division codes: levels, parents and subtree ranges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.areas import codes
from jiceng.areas.codes import CodeError, Level


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("430000000000", Level.PROVINCE),
        ("431100000000", Level.PREFECTURE),
        ("431102000000", Level.COUNTY),
        ("431102101000", Level.TOWNSHIP),
        ("431102101203", Level.VILLAGE),
    ],
)
def test_it_reads_the_level_from_the_code(code, level):
    assert codes.level_of(code) is level


@pytest.mark.parametrize("bad", ["43110210100", "4311021010001", "43110210100a", "991102101000", "000000000000", "431102000203"])
def test_it_rejects_malformed_codes(bad):
    with pytest.raises(CodeError):
        codes.level_of(bad)


def test_it_rejects_a_code_that_disagrees_with_its_parent():
    with pytest.raises(CodeError, match="上级应为“431102101000”"):
        codes.check_code("431102101203", Level.VILLAGE, "431102102000")


def test_it_rejects_a_declared_level_that_the_code_does_not_have():
    with pytest.raises(CodeError, match="表示乡镇级"):
        codes.check_code("431102101000", Level.VILLAGE, "431102000000")


def test_it_accepts_a_village_under_its_township():
    codes.check_code("431102101203", Level.VILLAGE, "431102101000")  # no exception


def test_it_names_township_and_village_kinds_by_the_coding_rules():
    assert codes.township_kind("431102001000") == "街道"
    assert codes.township_kind("431102101000") == "镇"
    assert codes.township_kind("431102201000") == "乡"
    assert codes.village_kind("431102001005") == "社区"
    assert codes.village_kind("431102101203") == "村"


@given(
    prefix=st.sampled_from(["43", "4311", "431102", "431102101", "431199", "4399"]),
    tail=st.text(alphabet="0123456789", min_size=12, max_size=12),
    other=st.text(alphabet="0123456789", min_size=12, max_size=12),
)
def test_subtree_bounds_contain_exactly_the_codes_with_the_prefix(prefix, tail, other):
    low, high = codes.subtree_bounds(prefix)
    inside = (prefix + tail)[:12]
    assert low <= inside < high
    assert (low <= other < high) == other.startswith(prefix)
