"""Registering or importing a known ID number updates that person; it never makes a second row."""

from __future__ import annotations

import pytest

from jiceng.errors import InvalidInput, NotPermitted
from jiceng.people import identity
from jiceng.people.actions import PersonInput, do_register_person
from jiceng.people.models import Person

from .helpers import new_id, register


def test_registering_a_known_id_number_updates_the_person(world):
    number = new_id()
    first = register(world, id_number=number, name="李桂英", phone="139 1234 5678")
    assert first.phone == "13912345678"
    again = register(world, id_number=" " + number.lower(), name="李桂英", phone="+86 138-0000-1111", address="新址5组8号")
    assert again.pk == first.pk
    assert Person.objects.filter(identity.by_id_number_q(number)).count() == 1
    again.refresh_from_db()
    assert again.phone == "13800001111" and again.address == "新址5组8号"


def test_the_birth_date_and_sex_come_from_the_number(world):
    import datetime as dt

    person = register(world, id_number=new_id(dt.date(1948, 2, 29)))
    assert person.birth_date == dt.date(1948, 2, 29) and person.sex in ("M", "F")


def test_a_bad_phone_is_refused_naming_the_field(world):
    with pytest.raises(InvalidInput) as exc:
        register(world, phone="12345")
    assert exc.value.field == "phone" and "联系电话" in exc.value.message


def test_staff_register_only_in_their_own_area(world):
    other_village = world.villages[0]
    staff = world.users[f"cun-{world.villages[-1].code}"]
    with pytest.raises(NotPermitted):
        do_register_person(staff, PersonInput(new_id(), "王五", area=other_village))
    assert not Person.objects.filter(name="王五").exists()


def test_a_known_person_of_another_area_is_not_moved_by_an_outsider(world):
    number = new_id()
    register(world, id_number=number, village=world.villages[0])
    outsider = world.users[f"cun-{world.villages[-1].code}"]
    with pytest.raises(NotPermitted):
        do_register_person(outsider, PersonInput(number, "李桂英", area=world.villages[-1]))
    assert Person.objects.get(identity.by_id_number_q(number)).area_id == world.villages[0].code


def test_residents_and_auditors_cannot_register(world):
    for username in ("resident-1", "auditor"):
        with pytest.raises(NotPermitted):
            do_register_person(world.users[username], PersonInput(new_id(), "王五", area=world.villages[-1]))
