"""Tags keep their history: "who was 低保 on 2026-03-01" is answered from periods, ended tags included."""

from __future__ import annotations

import datetime as dt

import pytest

from jiceng.errors import InvalidInput, NotPermitted
from jiceng.people.actions import do_end_tag, do_set_tag, tag_kind, tagged_on
from jiceng.people.models import PersonTag

from .helpers import register


def test_who_held_a_tag_on_a_day(world):
    staff = world.users[f"cun-{world.villages[-1].code}"]
    dibao = tag_kind("dibao")
    early, late, left, never = register(world), register(world), register(world), register(world)
    do_set_tag(staff, early, dibao, valid_from="2025-01-01", source="2025名册")
    do_set_tag(staff, late, dibao, valid_from="2026-03-02", source="2026名册")
    tag, _ = do_set_tag(staff, left, dibao, valid_from="2025-06-01", source="2025名册")
    do_end_tag(staff, tag, valid_to="2026-03-01", reason="退出")
    do_set_tag(staff, never, tag_kind("独居老人"), valid_from="2025-01-01")

    def on(day):
        return set(tagged_on(dibao, dt.date.fromisoformat(day)).values_list("person_id", flat=True))

    assert on("2026-03-01") == {early.pk}  # the end day is the first day without the tag
    assert on("2026-02-28") == {early.pk, left.pk}
    assert on("2026-03-02") == {early.pk, late.pk}
    assert on("2024-12-31") == set()
    assert PersonTag.objects.filter(person=left).get().end_reason == "退出"


def test_setting_a_tag_already_held_keeps_the_history_as_it_is(world):
    staff = world.users[f"cun-{world.villages[-1].code}"]
    person = register(world)
    first, created = do_set_tag(staff, person, tag_kind("低保"), valid_from="2025-01-01", source="A")
    again, created_again = do_set_tag(staff, person, tag_kind("低保"), valid_from="2025-07-01", source="B")
    assert created and not created_again and again.pk == first.pk
    assert PersonTag.objects.filter(person=person).count() == 1


def test_risk_types_belong_to_the_monitoring_tag(world):
    staff = world.users[f"cun-{world.villages[-1].code}"]
    person = register(world)
    tag, _ = do_set_tag(staff, person, tag_kind("防返贫监测对象"), valid_from="2025-01-01", risk_type="因病")
    assert tag.risk_type == "因病"
    with pytest.raises(InvalidInput, match="风险类型"):
        do_set_tag(staff, register(world), tag_kind("低保"), valid_from="2025-01-01", risk_type="因病")


def test_bad_dates_and_outsiders_are_refused(world):
    staff = world.users[f"cun-{world.villages[-1].code}"]
    person = register(world)
    with pytest.raises(InvalidInput, match="起始日期"):
        do_set_tag(staff, person, tag_kind("低保"), valid_from="2025-02-30")
    tag, _ = do_set_tag(staff, person, tag_kind("低保"), valid_from="2025-01-01")
    with pytest.raises(InvalidInput, match="晚于"):
        do_end_tag(staff, tag, valid_to="2024-01-01", reason="x")
    with pytest.raises(NotPermitted):
        do_set_tag(world.users[f"cun-{world.villages[0].code}"], person, tag_kind("特困"), valid_from="2025-01-01")
