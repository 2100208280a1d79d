"""A notification that cannot be made is logged; the case action it followed stands and its page says so."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from jiceng.notifications import events
from jiceng.notifications.models import Notification
from tests.cases.helpers import handling_case, village_staff

pytestmark = pytest.mark.django_db


def test_a_failing_notification_leaves_the_action_done(world, notify_settings, monkeypatch, caplog, django_capture_on_commit_callbacks):
    case = handling_case(world)
    staff = village_staff(world, case.area_id)

    def broken(**kwargs):
        raise RuntimeError("template store unreachable")

    monkeypatch.setattr(events, "do_notify", broken)
    c = Client()
    c.force_login(world.users["leader"])
    with caplog.at_level(logging.ERROR, logger="jiceng.cases.signals"), django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/cases/{case.number}/act/supervise/", {"version": case.version, "note": "请尽快办理"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.supervise_count == 1
    assert Notification.objects.filter(recipient=staff).count() == 0
    assert "event_committed receiver" in caplog.text and "template store unreachable" in caplog.text
