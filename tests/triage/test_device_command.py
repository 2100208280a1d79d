"""jiceng device add registers a camera and takes in the alerts it sent while unknown."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jiceng.cases.models import Case
from jiceng.triage.alerts import do_submit_alert
from jiceng.triage.models import Device, QueuedAlert

pytestmark = pytest.mark.django_db


def test_registering_a_device_takes_its_waiting_alerts_in(world):
    key_user = world.users["admin"]
    outcome = do_submit_alert(user=key_user, category="yujing-flood", area_code="", device_id="SW-99", alert_type="水位超警",
                              title="水位超警", description="监测点水位超警", at=timezone.now())
    assert outcome.queued and not Case.objects.exists()
    out = StringIO()
    call_command("device", "add", "--id", "SW-99", "--name", "水库大坝", "--area", world.villages[0].code, "--kind", "sensor", stdout=out)
    assert "1" in out.getvalue() and Device.objects.get().area_id == world.villages[0].code
    assert Case.objects.get().area_id == world.villages[0].code and QueuedAlert.objects.get().status == "taken"


def test_an_unknown_area_is_a_clear_error(world):
    with pytest.raises(CommandError, match="431102999999"):
        call_command("device", "add", "--id", "X", "--name", "x", "--area", "431102999999")
    assert not Device.objects.exists()
