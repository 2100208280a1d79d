"""Merging a duplicate found later keeps both people's tag histories and memberships; its ID number still finds the survivor."""

from __future__ import annotations

import datetime as dt

import pytest

from jiceng.errors import Conflict
from jiceng.people import identity
from jiceng.people.actions import (
    PersonInput, do_add_member, do_create_household, do_end_tag, do_merge_people, do_register_person, do_set_tag, tag_kind,
)
from jiceng.people.models import Membership, MergeRecord, Person, PersonTag

from .helpers import new_id, register


def test_merge_moves_tags_and_keeps_the_record(world):
    staff = world.users[f"cun-{world.villages[-1].code}"]
    survivor = register(world, name="刘德华", phone="")
    duplicate = register(world, name="刘德华", phone="13700001111")  # registered again with a mistyped ID number
    dibao, alone = tag_kind("低保"), tag_kind("独居老人")
    do_set_tag(staff, survivor, dibao, valid_from="2024-01-01", source="民政低保名册2024")
    old, _ = do_set_tag(staff, duplicate, dibao, valid_from="2020-01-01", source="民政低保名册2020")
    do_end_tag(staff, old, valid_to="2022-01-01", reason="收入超标退出")
    do_set_tag(staff, duplicate, alone, valid_from="2023-05-01", source="敲门行动")
    household = do_create_household(staff, number="H-MERGE-1", area=world.villages[-1], head=duplicate)

    record = do_merge_people(staff, survivor, duplicate, reason="同一人重复登记")

    tags = PersonTag.objects.filter(person=survivor).order_by("valid_from")
    assert [(t.kind.name, t.valid_from.isoformat(), t.source) for t in tags] == [
        ("低保", "2020-01-01", "民政低保名册2020"), ("独居老人", "2023-05-01", "敲门行动"), ("低保", "2024-01-01", "民政低保名册2024")]
    assert {t.merged_from_id for t in tags if t.source != "民政低保名册2024"} == {duplicate.pk}
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk and survivor.phone == "13700001111"
    assert Membership.objects.get(household=household, left__isnull=True).person_id == survivor.pk
    household.refresh_from_db()
    assert household.head_id == survivor.pk
    assert MergeRecord.objects.get(pk=record.pk).snapshot["name"] == "刘德华" and "id_number" not in record.snapshot

    # Registering the duplicate's ID number again finds the survivor.
    again, created = do_register_person(staff, PersonInput(duplicate.id_number, "刘德华", area=world.villages[-1]))
    assert not created and again.pk == survivor.pk
    assert Person.objects.filter(name="刘德华").count() == 2  # both rows kept


def test_merged_people_cannot_be_merged_again(world):
    staff = world.users[f"cun-{world.villages[-1].code}"]
    a, b, c = register(world), register(world), register(world)
    do_merge_people(staff, a, b, reason="重复")
    with pytest.raises(Conflict):
        do_merge_people(staff, c, b, reason="重复")
