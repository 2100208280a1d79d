"""The registry stores ID numbers and phones sealed (jiceng.sealed) and finds them through the keyed hash."""

from __future__ import annotations

from django.db import connection

from jiceng.people import identity
from jiceng.people.importer import do_import_roster
from jiceng.people.models import Person

from .helpers import new_id, register


def test_columns_hold_ciphertext_and_lookups_use_the_index(world):
    person = register(world, phone="13512345678")
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone, id_number_index FROM people_person WHERE id = %s", [person.pk])
        stored_id, stored_phone, index = cur.fetchone()
    assert stored_id.startswith("sealed1:") and person.id_number not in stored_id
    assert stored_phone.startswith("sealed1:") and "13512345678" not in stored_phone
    assert index and person.id_number not in index
    assert Person.objects.get(identity.by_id_number_q(person.id_number)).pk == person.pk
    assert Person.objects.get(identity.by_phone_q("135 1234 5678")).pk == person.pk


def test_the_bulk_import_keeps_the_phone_index_in_step(world):
    village = world.villages[-1]
    staff = world.users[f"cun-{village.code}"]
    number = new_id()
    do_import_roster(staff, [{"id_number": number, "name": "甲", "phone": "13800000001", "village": village.code}], source="一")
    do_import_roster(staff, [{"id_number": number, "name": "甲", "phone": "13800000002", "village": village.code}], source="二")
    assert not Person.objects.filter(identity.by_phone_q("13800000001")).exists()
    assert Person.objects.get(identity.by_phone_q("13800000002")).phone == "13800000002"
