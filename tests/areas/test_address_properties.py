"""Properties of the address parser: normalising is stable, surrounding words never change the answer."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jiceng.areas import geo

# Words of complaints that contain no place name of the demo county.
FILLER = st.text(alphabet="我家住在的了号门口旁边灯坏水沟堵请尽快处理天晚上老人小孩0123456789，。！ 　", max_size=20)


@settings(max_examples=2000)
@given(st.text(max_size=40))
@example("A´")  # NFKC turns ´ into space + combining accent; without the space, A and the accent compose
def test_normalising_twice_changes_nothing(text):
    once = geo.normalise(text)
    assert geo.normalise(once) == once


@given(st.integers(min_value=1, max_value=99))
def test_numbered_grids_in_chinese_and_arabic_numerals_agree(n):
    tens, ones = divmod(n, 10)
    digits = "零一二三四五六七八九"
    chinese = (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")
    assert geo.normalise(f"第{chinese}网格") == geo.normalise(f"{n}网格") == f"第{n}网格"


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=FILLER, after=FILLER, pick=st.integers(min_value=0, max_value=100))
def test_words_around_a_unique_village_name_do_not_change_the_answer(world, before, after, pick):
    names = Counter(v.name for v in world.villages)
    unique = [v for v in world.villages if names[v.name] == 1]
    village = unique[pick % len(unique)]
    loc = geo.match_address(before + village.name + after)
    assert loc is not None and loc.village == village
