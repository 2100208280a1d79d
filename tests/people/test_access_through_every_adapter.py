"""Registry scope and masking through the domain, the web pages and the REST API:
grid workers see their grids, helpers their paired households, county civil affairs the county, auditors masked;
every reveal is logged in the personal-data access log."""

from __future__ import annotations

import pytest

from jiceng.accounts.models import PersonalDataAccess
from jiceng.people import access
from jiceng.people.actions import do_create_household
from jiceng.programmes.models import PairingScheme
from jiceng.programmes.pairing import do_pair

from tests.api.helpers import client_for

from .helpers import register


@pytest.fixture
def places(world):
    village = world.villages[-1]
    g1, g2 = world.grids_by_village[village.code][:2]
    staff = world.users[f"cun-{village.code}"]
    mine = register(world, village=village, grid=g1, name="王秀兰", phone="13711112222")
    theirs = register(world, village=village, grid=g2, name="陈建国")
    elsewhere = register(world, village=world.villages[0], grid=world.grids_by_village[world.villages[0].code][0], name="周敏")
    home = do_create_household(staff, number="H-ACCESS-1", area=village, grid=g2, head=theirs)
    return {"village": village, "g1": g1, "g2": g2, "staff": staff, "mine": mine, "theirs": theirs, "elsewhere": elsewhere, "home": home,
            "worker": g1.workers.first()}


def test_a_grid_worker_sees_the_people_of_their_grids(world, places):
    worker = places["worker"]
    assert set(access.visible_people(worker)) == {places["mine"]}
    web = client_for(worker)
    assert "王秀兰" in web.get("/people/").content.decode()
    assert web.get(f"/people/{places['theirs'].pk}/").status_code == 404
    api = client_for(worker)
    ids = [p["id"] for p in api.get("/api/v1/people").json()["items"]]
    assert ids == [places["mine"].pk]
    assert api.get(f"/api/v1/people/{places['elsewhere'].pk}").status_code == 404


def test_a_helper_sees_their_paired_household_only(world, places):
    helper = world.users["resident-5"]
    assert not access.visible_people(helper).exists()
    do_pair(places["staff"], scheme=PairingScheme.objects.get(code="party-member"), helper=helper, household=places["home"])
    assert set(access.visible_people(helper)) == {places["theirs"]}
    assert set(access.visible_households(helper)) == {places["home"]}
    client = client_for(helper)
    assert client.get(f"/people/households/{places['home'].pk}/").status_code == 200
    assert client.get(f"/api/v1/people/{places['mine'].pk}").status_code == 404
    body = client.get(f"/api/v1/people/{places['theirs'].pk}?reveal=true").json()
    assert body["phone"] == places["theirs"].phone and not body["masked"]
    assert PersonalDataAccess.objects.filter(user=helper, person=places["theirs"], purpose="api").count() == 1


def test_county_civil_affairs_sees_the_county_other_departments_nothing(world, places):
    civil = world.users["county-civil_affairs"]
    assert access.visible_people(civil).count() == 3
    other = next(u for n, u in world.users.items() if n.startswith("county-") and n != "county-civil_affairs"
                 and not n.startswith("county-rural"))
    assert not access.visible_people(other).exists()
    assert client_for(other).get("/api/v1/people").json()["items"] == []
    assert len(client_for(civil).get("/api/v1/people").json()["items"]) == 3


def test_staff_see_masked_data_and_a_reveal_is_logged_on_web_and_rest(world, places):
    staff, person = places["staff"], places["mine"]
    client = client_for(staff)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert person.id_number not in page and "137****2222" in page and "查看完整信息" in page
    assert not PersonalDataAccess.objects.filter(person=person).exists()
    revealed = client.get(f"/people/{person.pk}/?reveal=1").content.decode()
    assert person.id_number in revealed and "13711112222" in revealed
    api = client.get(f"/api/v1/people/{person.pk}").json()
    assert api["masked"] and api["id_number"] != person.id_number
    assert client.get(f"/api/v1/people/{person.pk}?reveal=true").json()["id_number"] == person.id_number
    assert list(PersonalDataAccess.objects.filter(person=person).values_list("purpose", flat=True).order_by("pk")) == ["web", "api"]
    log = client_for(world.users["auditor"]).get("/access-log/").content.decode()
    assert f"#{person.pk}" in log


def test_auditors_read_masked_and_cannot_reveal(world, places):
    auditor, person = world.users["auditor"], places["mine"]
    client = client_for(auditor)
    listing = client.get("/people/").content.decode()
    assert "王*兰" in listing and "王秀兰" not in listing
    assert client.get(f"/api/v1/people/{person.pk}?reveal=true").status_code == 403
    page = client.get(f"/people/{person.pk}/?reveal=1").content.decode()
    assert person.id_number not in page
    assert not PersonalDataAccess.objects.filter(person=person).exists()


def test_residents_without_pairings_see_no_registry(world, places):
    client = client_for(world.users["resident-1"])
    assert client.get("/people/").status_code == 403
    assert client.get("/api/v1/people").status_code == 403  # the same rule as the web page (people.access.check_reads_registry)
