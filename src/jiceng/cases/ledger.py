"""System records appended to a case's chain outside the workflow's human actions.

An ``alert_repeat`` event records a sensor series' count and claimed times;
it changes no state (replay keeps the state) but is hash-chained like every
other event, so the count a reader sees is covered by ``jiceng verify``.
"""

from __future__ import annotations

from datetime import datetime

from jiceng.accounts.models import User

from .actions import _append_event
from .models import Case, CaseEvent


def append_record(case_id: int, action: str, payload: dict, now: datetime, user: User | None = None, note: str = "") -> CaseEvent:
    """Append a state-preserving event under a row lock; the caller's transaction commits it."""
    case = Case.objects.select_for_update().get(pk=case_id)
    event = _append_event(
        case, action=action, from_state=case.state, to_state=case.state, user=user, at=now, unit_id=case.unit_id, note=note, payload=payload,
    )
    Case.objects.filter(pk=case.pk).update(version=case.version + 1, event_count=event.seq, last_hash=event.hash, updated_at=now)
    return event
