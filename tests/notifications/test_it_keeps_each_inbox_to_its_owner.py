"""The inbox: the bell counts my unread messages; I read, open and mark all read, on the web and over REST;
someone else's message is 'not found' through both; the outbox is for administrators only."""

from __future__ import annotations

import pytest
from django.test import Client

from jiceng.notifications.models import Kind, Notification
from jiceng.notifications.notify import do_notify
from tests.cases.helpers import submit, village_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_notes(world, notify_settings):
    village = world.villages[-1]
    case = submit(world, village=village, user=world.users[f"grid-{village.code}001"])
    staff = village_staff(world, village.code)
    other = village_staff(world, world.villages[0].code)
    mine = do_notify(kind=Kind.ARRIVED, case=case, event=case.events.get(), recipients=[staff], extra={"reason": "submitted"})
    theirs = do_notify(kind=Kind.DUE_SOON, case=case, event=None, recipients=[other])
    return staff, other, mine[0], theirs[0], case


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_bell_and_the_inbox_page(two_notes):
    staff, other, mine, theirs, case = two_notes
    c = _client(staff)
    page = c.get("/notifications/").content.decode()
    assert 'id="notify-bell"' in page and 'class="notify-count">1<' in page
    assert mine.title in page and theirs.title not in page
    r = c.get(f"/notifications/{mine.pk}/open/")
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.number}/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert 'class="notify-count"' not in c.get("/notifications/").content.decode()


def test_someone_elses_message_is_not_found_on_the_web(two_notes):
    staff, other, mine, theirs, case = two_notes
    c = _client(staff)
    assert c.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert c.get(f"/notifications/{theirs.pk}/open/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert c.post("/notifications/read-all/").status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).get() == theirs  # only mine were marked


def test_the_rest_api_keeps_the_same_rules(two_notes):
    staff, other, mine, theirs, case = two_notes
    c = _client(other)
    assert c.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    [row] = c.get("/api/v1/notifications").json()
    assert row["id"] == theirs.pk and row["kind"] == "due_soon" and row["case"] == case.number
    r = c.post(f"/api/v1/notifications/{mine.pk}/read")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert c.post(f"/api/v1/notifications/{theirs.pk}/read").json()["read_at"] is not None
    assert c.get("/api/v1/notifications?unread=true").json() == []
    assert _client(staff).post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert Client().get("/api/v1/notifications").status_code == 401


def test_the_outbox_is_for_administrators(two_notes, world):
    staff, other, mine, theirs, case = two_notes
    assert _client(staff).get("/notifications/outbox/").status_code == 403
    page = _client(world.users["admin"]).get("/notifications/outbox/")
    assert page.status_code == 200 and "发件箱" in page.content.decode()
