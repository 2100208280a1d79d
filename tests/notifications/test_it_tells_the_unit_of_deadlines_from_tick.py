"""`jiceng tick`'s due-soon reminder, overdue flag and automatic supervision reach the unit holding the case."""

from __future__ import annotations

import pytest

from jiceng.cases.tick import run_tick
from jiceng.notifications.models import Kind
from tests.cases.helpers import village_staff
from tests.cases.test_tick import handling, sh

from .helpers import inbox_of

pytestmark = pytest.mark.django_db


def test_due_soon_overdue_and_supervised(world, notify_settings, django_capture_on_commit_callbacks):
    village = world.villages[-1]
    case = handling(world, village=village)  # due Monday 9 March 17:30, held by the village committee
    staff = village_staff(world, village.code)
    other = village_staff(world, world.villages[0].code)
    with django_capture_on_commit_callbacks(execute=True):
        run_tick(sh(2026, 3, 9, 9))
        run_tick(sh(2026, 3, 9, 18))
        run_tick(sh(2026, 3, 10, 15))
    notes = inbox_of(staff)
    assert [n.kind for n in notes] == [Kind.DUE_SOON, Kind.OVERDUE, Kind.SUPERVISED]
    assert all(n.case_id == case.pk for n in notes)
    assert "2026-03-09 17:30" in notes[0].text and "到期" in notes[0].text
    assert "超过办理期限 2026-03-09 17:30" in notes[1].text
    assert notes[2].title == f"工单被督办：{case.number}"
    assert inbox_of(other) == []
