"""每月一题: a village's cases of one category that share a word are a theme, counted against the month before;
a leader adopts it and follows new cases of the theme month by month."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jiceng.errors import InvalidInput, NotPermitted
from jiceng.stats.themes import do_adopt_theme, follow_up, recurring
from tests.cases.helpers import submit

from jiceng.stats.rollups import refresh

from .helpers import EVERYWHERE, OCTOBER, T0

pytestmark = pytest.mark.django_db


def _streetlight_cases(world, village, days, title="村口路灯又不亮了"):
    return [submit(world, village=village, title=title, description="晚上路灯不亮，出行不便", now=T0 + timedelta(days=d))
            for d in days]


def test_cases_sharing_a_word_in_one_village_make_a_theme_with_its_growth(world):
    busy, quiet = world.villages[-1], world.villages[0]
    october = _streetlight_cases(world, busy, [0, 1, 2, 3])
    _streetlight_cases(world, busy, [-20, -21])  # September: two of the same matter
    _streetlight_cases(world, quiet, [0])  # one case elsewhere is no theme
    refresh()

    themes = recurring(EVERYWHERE, OCTOBER, min_cases=3)

    assert [(t.area_code, t.count, t.previous) for t in themes] == [(busy.code, 4, 2)]
    theme = themes[0]
    assert theme.keyword and all(theme.keyword in c.title + c.description for c in october)  # the word they share
    assert theme.growth == 1.0
    assert sorted(theme.numbers) == sorted(c.number for c in october)


def test_a_leader_adopts_a_theme_and_sees_new_cases_after_it(world):
    village = world.villages[-1]
    cases = _streetlight_cases(world, village, [0, 1, 2])
    refresh()
    theme = do_adopt_theme(world.users["leader"], EVERYWHERE, area_code=village.code, category_code=cases[0].category.code,
                           keyword="路灯", title="", owner_username=f"cun-{village.code}", due="2026-12-31",
                           measures="更换线路，每周巡查", case_numbers=[c.number for c in cases], now=T0 + timedelta(days=5))
    _streetlight_cases(world, village, [25])  # November, after adoption

    followed = follow_up(theme, now=T0 + timedelta(days=30))
    counts = {m["label"]: m["count"] for m in followed.months}
    assert set(theme.cases.values_list("number", flat=True)) == {c.number for c in cases}
    assert counts["2026-10"] == 3 and counts["2026-11"] == 1 and sum(counts.values()) == 4
    assert followed.before_avg == 0 and followed.after_avg == 1.0  # the adoption month itself is neither


def test_adoption_refuses_non_leaders_and_names_each_missing_part(world):
    village = world.villages[-1]
    with pytest.raises(NotPermitted):
        do_adopt_theme(world.users[f"cun-{village.code}"], EVERYWHERE, area_code=village.code, category_code="minsheng-road",
                       keyword="路灯", title="", owner_username="leader", due="2026-12-31", measures="巡查", case_numbers=[])
    with pytest.raises(InvalidInput) as refused:
        do_adopt_theme(world.users["leader"], EVERYWHERE, area_code=village.code, category_code="minsheng-road",
                       keyword="路灯", title="", owner_username="nobody", due="去年", measures="", case_numbers=[], now=T0)
    assert refused.value.field == "owner"
