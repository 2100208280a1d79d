"""The administrator finds routing overrides and the personal-data access log in the admin; the log is read-only."""

from __future__ import annotations

import pytest

from jiceng.accounts.models import PersonalDataAccess
from jiceng.areas.models import UnitLevel
from jiceng.cases.models import Category, RoutingRule

from .helpers import submit

pytestmark = pytest.mark.django_db


def test_routing_rules_are_listed_and_editable(world, client):
    unit = next(iter(world.units.values()))
    rule = RoutingRule.objects.create(category=Category.objects.get(code="minsheng-road"), area_prefix=world.villages[0].code[:9],
                                      level=UnitLevel.VILLAGE, unit=unit)
    client.force_login(world.users["admin"])
    listing = client.get("/admin/cases/routingrule/")
    assert listing.status_code == 200 and rule.area_prefix in listing.content.decode()
    assert client.get("/admin/cases/routingrule/add/").status_code == 200


def test_personal_data_accesses_are_shown_but_cannot_be_changed(world, client):
    case = submit(world)
    entry = PersonalDataAccess.objects.create(user=world.users["leader"], case=case, purpose="回访核实")
    client.force_login(world.users["admin"])
    listing = client.get("/admin/accounts/personaldataaccess/")
    assert listing.status_code == 200 and case.number in listing.content.decode() and "回访核实" in listing.content.decode()
    assert client.get("/admin/accounts/personaldataaccess/add/").status_code == 403
    detail = client.get(f"/admin/accounts/personaldataaccess/{entry.pk}/change/")
    assert detail.status_code == 200 and 'name="purpose"' not in detail.content.decode(), "view only, no form field"
    assert client.post(f"/admin/accounts/personaldataaccess/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PersonalDataAccess.objects.filter(pk=entry.pk).exists()


def test_staff_who_are_not_administrators_see_neither(world, client):
    client.force_login(world.users["leader"])
    assert client.get("/admin/accounts/personaldataaccess/").status_code in (302, 403)
