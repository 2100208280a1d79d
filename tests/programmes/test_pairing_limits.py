"""A helper pairs with at most the scheme's number of households (three for 党员包户), each with the seven duties."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from jiceng.errors import Conflict, InvalidInput, NotPermitted
from jiceng.programmes.models import PARTY_MEMBER_DUTIES, Pairing
from jiceng.programmes.pairing import checklist, do_end_pairing, do_mark_duty, do_pair, unpaired_monitored

from .helpers import household, party_scheme, staff_of


def test_the_party_member_scheme_has_the_seven_duties_of_seed_000(db):
    assert party_scheme().limit == 3
    assert party_scheme().duties == ["守法", "尚德", "提能", "勤劳", "清洁", "和睦", "教育"] == PARTY_MEMBER_DUTIES


def test_a_fourth_household_is_refused_and_ending_one_frees_a_place(world):
    staff, helper = staff_of(world), world.users["resident-1"]
    homes = [household(world) for _ in range(4)]
    made = [do_pair(staff, scheme=party_scheme(), helper=helper, household=h) for h in homes[:3]]
    with pytest.raises(Conflict, match="上限"):
        do_pair(staff, scheme=party_scheme(), helper=helper, household=homes[3])
    do_end_pairing(staff, made[0], reason="帮扶人调动")
    assert do_pair(staff, scheme=party_scheme(), helper=helper, household=homes[3]).household_id == homes[3].pk


def test_a_household_has_one_helper_per_scheme(world):
    staff = staff_of(world)
    h = household(world)
    do_pair(staff, scheme=party_scheme(), helper=world.users["resident-1"], household=h)
    with pytest.raises(Conflict, match="已有"):
        do_pair(staff, scheme=party_scheme(), helper=world.users["resident-2"], household=h)


def test_the_duty_checklist(world):
    staff, helper = staff_of(world), world.users["resident-1"]
    pairing = do_pair(staff, scheme=party_scheme(), helper=helper, household=household(world))
    do_mark_duty(helper, pairing, "清洁", on="2026-03-02")
    items = {i["duty"]: i["done_on"] for i in checklist(Pairing.objects.get(pk=pairing.pk))}
    assert items["清洁"] == "2026-03-02" and items["守法"] is None and len(items) == 7
    with pytest.raises(InvalidInput, match="不是"):
        do_mark_duty(helper, pairing, "打扫")
    with pytest.raises(NotPermitted):
        do_mark_duty(world.users["resident-2"], pairing, "清洁")


def test_unpaired_monitored_households_are_listed(world):
    staff = staff_of(world)
    paired, alone, not_monitored = household(world, monitored=True), household(world, monitored=True), household(world)
    do_pair(staff, scheme=party_scheme(), helper=world.users["resident-1"], household=paired)
    listed = set(unpaired_monitored(staff).values_list("household_id", flat=True))
    assert alone.pk in listed and paired.pk not in listed and not_monitored.pk not in listed


def test_managers_pair_only_in_their_area(world):
    h = household(world)
    with pytest.raises(NotPermitted):
        do_pair(staff_of(world, world.villages[0]), scheme=party_scheme(), helper=world.users["resident-1"], household=h)
    with pytest.raises(NotPermitted):
        do_pair(world.users["auditor"], scheme=party_scheme(), helper=world.users["resident-1"], household=h)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_pairings_never_exceed_the_limit(world):
    staff, helper = staff_of(world), world.users["resident-3"]
    homes = [household(world) for _ in range(8)]
    barrier, outcomes = threading.Barrier(8), []

    def pair(h):
        try:
            barrier.wait()
            do_pair(staff, scheme=party_scheme(), helper=helper, household=h)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=pair, args=(h,)) for h in homes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 3 and outcomes.count("refused") == 5
    assert Pairing.objects.filter(helper=helper, ended__isnull=True).count() == 3
