"""Events written in bulk (the demo generator) bypass the signal; the backfill tells their people once."""

from __future__ import annotations

import pytest

from jiceng.demo.cases import generate_cases
from jiceng.notifications.backfill import announce_recent
from jiceng.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_recent_events_of_open_cases_reach_the_inboxes_once(world, notify_settings):
    generate_cases(world, 120, seed=5)
    assert Notification.objects.count() == 0  # bulk inserts send no signal
    assert 0 < announce_recent(limit=80) <= 80
    made = Notification.objects.count()
    assert made > 0
    assert set(Notification.objects.values_list("case__state", flat=True)) - {"submitted", "accepted", "dispatched", "handling",
                                                                             "suspended", "resolved", "disputed", "rated"} == set()
    announce_recent(limit=80)
    assert Notification.objects.count() == made
