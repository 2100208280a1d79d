"""Repeat detection compares the matter (the thing and what is wrong with it), not only the place and the wording."""

from __future__ import annotations

import pytest

from jiceng.triage.config import section
from jiceng.triage.repeats import Draft, _keys_of_draft, contrast_groups, contrast_subjects, find_repeat_candidates
from tests.cases.helpers import submit

pytestmark = pytest.mark.django_db


def _names(text: str) -> set[str]:
    """The subjects ``text`` names, as the first word of each (readable in a failure)."""
    groups = contrast_groups(section("repeats"))
    return {groups[g][s][0] for g, s in contrast_subjects(text, groups)}


def test_the_callers_own_word_wins_over_the_lexicons_guess():
    # "灯坏了" is a lexicon variant of 路灯; a caller who says 红绿灯 means the traffic light only.
    assert _names("路口红绿灯坏了") == {"红绿灯"}
    assert "路灯" in _names("三组路边那几个路登不亮了")  # a typo still names the street light


def test_what_is_wrong_is_a_subject_of_its_own():
    assert {"停水"} <= _names("二组停水两天了") and "水质" not in _names("二组停水两天了")
    assert "水质" in _names("自来水发黄，有股铁锈味")


def test_reports_naming_different_things_are_kept_apart(world):
    cfg = section("repeats")
    groups = contrast_groups(cfg)
    lift = _keys_of_draft(Draft(area_id=world.villages[-1].code, description="七栋电梯坏了，老人下不了楼", address="幸福小区7栋"), groups)
    light = _keys_of_draft(Draft(area_id=world.villages[-1].code, description="七栋楼道的灯坏了，晚上黑乎乎的", address="幸福小区7栋"), groups)
    assert lift.things and light.things and not (lift.things & light.things)


def test_a_case_about_another_thing_at_the_same_address_is_flagged_so(world):
    first = submit(world, title="垃圾", description="3栋垃圾桶满了好几天没人清运", reporter_phone="13900000001", address="朝阳小区3栋")
    new = submit(world, title="烧垃圾", description="3栋楼下有人焚烧垃圾，烟好大", reporter_phone="13900000002", address="朝阳小区3栋")
    (found,) = [c for c in find_repeat_candidates(new, min_score=0) if c.case.pk == first.pk]
    assert "other_subject" in {r.code for r in found.reasons} and not found.likely


def test_the_same_thing_told_again_is_not_penalised(world):
    first = submit(world, title="停水", description="四组停水三天了", reporter_phone="13900000001", address="红星村四组")
    new = submit(world, title="没水", description="我们组这几天水龙头不出水", reporter_phone="13900000002", address="红星村4组")
    (found,) = [c for c in find_repeat_candidates(new, min_score=0) if c.case.pk == first.pk]
    assert "other_subject" not in {r.code for r in found.reasons}
