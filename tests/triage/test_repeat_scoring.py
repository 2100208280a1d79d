"""Repeat detection: each signal, their combination, the window, and the viewer's scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from jiceng.cases.actions import do_case_action
from jiceng.triage.keys import index_missing
from jiceng.triage.models import CaseKey
from jiceng.triage.config import section
from jiceng.triage.repeats import Draft, Keys, find_repeat_candidates, score_pair
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db
ID_NUMBER = "11010519491231002X"
WEIGHTS = {"same_person": 0.6, "same_address": 0.5, "same_grid": 0.1, "same_category": 0.15, "text": 0.7}


def _reasons(candidates, case):
    found = [c for c in candidates if c.case.pk == case.pk]
    assert found, "expected the earlier case among the candidates"
    return {r.code for r in found[0].reasons}, found[0].score


def test_the_same_phone_number_is_a_signal(world):
    first = submit(world, title="路灯坏了", description="村口路灯不亮", reporter_phone="138 1234 5678")
    new = submit(world, category="jiufen-neighbour", title="邻居吵架", description="隔壁深夜喧哗", reporter_phone="+8613812345678",
                 reporter_name="李四", fields={"parties": ["甲", "乙"]})
    codes, score = _reasons(find_repeat_candidates(new, min_score=0), first)
    assert "same_phone" in codes and score >= 0.6


def test_the_same_id_number_is_a_signal(world):
    first = submit(world, title="路灯坏了", description="村口路灯不亮", reporter_phone="13900000001", reporter_id_number=ID_NUMBER)
    new = submit(world, title="咨询低保", description="想了解政策", reporter_phone="13900000002", reporter_id_number=ID_NUMBER.lower())
    codes, _score = _reasons(find_repeat_candidates(new, min_score=0), first)
    assert "same_id_number" in codes and "same_phone" not in codes


def test_the_same_address_written_differently_is_a_signal(world):
    first = submit(world, title="漏水", description="楼上卫生间漏水到我家", reporter_phone="13900000001", address="幸福小区三幢 ２单元")
    new = submit(world, title="楼上漏水", description="楼上漏水把天花板泡坏了", reporter_phone="13900000002", address="幸福小区3栋2单元")
    (found,) = [c for c in find_repeat_candidates(new, min_score=0) if c.case.pk == first.pk]
    address = next(r for r in found.reasons if r.code == "same_address")
    assert address.value > 0.5 and found.score >= section("repeats")["weights"]["same_address"]


def test_two_matters_at_one_address_are_not_likely_the_same(world):
    """The place counts only as far as the matters agree (the reason says so)."""
    first = submit(world, title="漏水", description="楼上漏水", reporter_phone="13900000001", address="幸福小区3栋2单元")
    new = submit(world, title="噪音", description="夜间施工太吵", reporter_phone="13900000002", address="幸福小区3栋2单元")
    (found,) = [c for c in find_repeat_candidates(new, min_score=0) if c.case.pk == first.pk]
    codes = {r.code for r in found.reasons}
    assert {"same_address", "other_matter"} <= codes and not found.likely


def test_water_and_power_cuts_in_one_group_are_different_matters(world):
    first = submit(world, category="minsheng-utilities", title="停水", description="四组停水三天了", reporter_phone="13900000001", address="红星村四组")
    new = submit(world, category="minsheng-utilities", title="停电", description="四组停电了一整天", reporter_phone="13900000002", address="红星村四组")
    (found,) = [c for c in find_repeat_candidates(new, min_score=0) if c.case.pk == first.pk]
    assert "other_subject" in {r.code for r in found.reasons} and not found.likely


def test_the_same_grid_is_a_weak_signal(world):
    village = world.villages[-1]
    grid = world.grids_by_village[village.code][0]
    first = submit(world, title="漏水", description="楼上漏水", reporter_phone="13900000001", grid=grid)
    new = submit(world, title="噪音", description="夜间施工", reporter_phone="13900000002", grid=grid)
    codes, score = _reasons(find_repeat_candidates(new, min_score=0), first)
    assert "same_grid" in codes and score < 0.25  # alone (with the category) it stays below the default threshold


def test_similar_text_is_a_signal_and_unrelated_text_is_not(world):
    first = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了一周，晚上出行不安全", reporter_phone="13900000001")
    other = submit(world, title="邻居占用通道", description="隔壁堆放杂物堵住过道", reporter_phone="13900000003")
    new = submit(world, title="路灯坏了", description="村口的路灯一直不亮，晚上出行很不安全", reporter_phone="13900000002")
    candidates = find_repeat_candidates(new, min_score=0)
    codes, score = _reasons(candidates, first)
    text = next(r for c in candidates if c.case.pk == first.pk for r in c.reasons if r.code == "text")
    assert "text" in codes and text.value > 0.3
    assert [c.case.pk for c in find_repeat_candidates(new)] == [first.pk], "the unrelated case stays under the threshold"
    assert other.pk not in [c.case.pk for c in find_repeat_candidates(new)]


def test_signals_combine_into_a_higher_score(world):
    same_text = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了一周", reporter_phone="13900000001")
    everything = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了一周", reporter_phone="13900000009", address="村口1号")
    new = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了一周", reporter_phone="13900000009", address="村口一号")
    candidates = find_repeat_candidates(new)
    assert [c.case.pk for c in candidates] == [everything.pk, same_text.pk]
    assert candidates[0].score > candidates[1].score
    assert {r.code for r in candidates[0].reasons} >= {"same_phone", "same_address", "text", "same_category"}


def test_a_draft_not_yet_saved_finds_candidates(world):
    first = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了一周", reporter_phone="13900000001")
    draft = Draft(area_id=first.area_id, title="路灯不亮", description="村口路灯坏了", reporter_phone="13900000001")
    assert [c.case.pk for c in find_repeat_candidates(draft)] == [first.pk]


def test_only_the_same_village_counts(world):
    here, there = world.villages[-1], world.villages[0]
    submit(world, village=there, title="村口路灯不亮", description="村口三盏路灯坏了一周", reporter_phone="13900000001")
    new = submit(world, village=here, title="村口路灯不亮", description="村口三盏路灯坏了一周", reporter_phone="13900000001")
    assert find_repeat_candidates(new, min_score=0) == []


def test_closed_cases_older_than_the_window_are_not_candidates_but_open_ones_are(world):
    now = timezone.now()
    staff = village_staff(world, world.villages[-1].code)
    old_open = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001", now=now - timedelta(days=60))
    old_refused = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001", now=now - timedelta(days=59))
    do_case_action(old_refused, "refuse", staff, {"note": "重复反映"}, now=now - timedelta(days=58))
    recent_refused = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001", now=now - timedelta(days=5))
    do_case_action(recent_refused, "refuse", staff, {"note": "重复反映"}, now=now - timedelta(days=4))
    new = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001", now=now)
    found = {c.case.pk for c in find_repeat_candidates(new, window_days=30)}
    assert found == {old_open.pk, recent_refused.pk}
    assert {c.case.pk for c in find_repeat_candidates(new, window_days=90)} == {old_open.pk, old_refused.pk, recent_refused.pk}


def test_later_cases_are_not_candidates_of_an_earlier_one(world):
    first = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001")
    submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001")
    assert find_repeat_candidates(first) == []


def test_merged_cases_are_not_candidates(world):
    staff = village_staff(world, world.villages[-1].code)
    original = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001")
    dup = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001")
    do_case_action(dup, "merge", staff, {"into": original.number})
    new = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001")
    assert [c.case.pk for c in find_repeat_candidates(new)] == [original.pk]


def test_the_viewer_sees_only_candidates_in_scope(world):
    village = world.villages[-1]
    first = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001")
    new = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001")
    other_township = next(t for t in world.townships if not village.code.startswith(t.code[:9]))
    outsider = world.users[f"tz-{other_township.code[6:9]}"]
    assert find_repeat_candidates(new, user=outsider) == []
    assert [c.case.pk for c in find_repeat_candidates(new, user=village_staff(world, village.code))] == [first.pk]


def test_keys_are_written_at_submission_and_rebuilt_when_missing(world):
    case = submit(world, title="村口路灯不亮", description="村口三盏路灯坏了", reporter_phone="13900000001", address="幸福路3幢")
    key = CaseKey.objects.get(case_id=case.pk)
    assert key.address_key == "幸福路3栋" and key.phone_hash and "13900000001" not in key.phone_hash and "路灯" in key.tokens.split()
    CaseKey.objects.all().delete()
    assert index_missing() == 1
    assert CaseKey.objects.get(case_id=case.pk).tokens == key.tokens


signal = st.floats(min_value=0, max_value=1)
keys = st.builds(Keys, st.sampled_from(["", "p1", "p2"]), st.sampled_from(["", "i1"]), st.sampled_from(["", "a1", "a2"]),
                 st.sampled_from([None, 1, 2]), st.sampled_from([None, 1, 2]), st.frozensets(st.sampled_from(list("甲乙丙丁戊")), max_size=5))


@given(keys, keys)
def test_the_score_is_within_zero_and_one_and_symmetric(a, b):
    score, _reasons = score_pair(a, b, WEIGHTS)
    assert 0 <= score <= 1
    assert score == pytest.approx(score_pair(b, a, WEIGHTS)[0])


@given(keys, st.sampled_from(["phone_hash", "address_key", "grid_id"]))
def test_adding_a_matching_signal_never_lowers_the_score(a, field):
    b = Keys("x", "y", "z", 99, 98, frozenset({"庚"}))
    before, _r = score_pair(a, b, WEIGHTS)
    value = getattr(a, field)
    if value in ("", None):
        return
    b2 = Keys(**{**b.__dict__, field: value})
    after, _r = score_pair(a, b2, WEIGHTS)
    assert after >= before
