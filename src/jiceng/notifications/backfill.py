"""Tell people of recent events recorded without the signal: cases loaded in bulk (the demo generator, an import).

Each event is announced as if it had just been committed; an event already told
is skipped (the inbox's unique constraint), so running it twice is harmless.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from jiceng.cases.models import CaseEvent
from jiceng.cases.states import OPEN_STATES, Action

from .events import on_event_committed

# The actions events.plan_for turns into messages.
NOTIFYING = [Action.SUBMIT, Action.DISPATCH, Action.ESCALATE, Action.RETURN, Action.REMIND, Action.FLAG_OVERDUE,
             Action.SUPERVISE, Action.RESOLVE, Action.RATE, Action.DECIDE]


def announce_recent(limit: int = 300) -> int:
    """Announce the latest ``limit`` notifying events of open cases, oldest first; how many were announced."""
    events = list(CaseEvent.objects.filter(action__in=NOTIFYING, case__state__in=OPEN_STATES, at__lte=timezone.now())
                  .order_by("-at", "-pk").values_list("pk", "case_id", "action")[:limit])
    for pk, case_id, action in reversed(events):
        on_event_committed(None, event_id=pk, case_id=case_id, action=action)
    return len(events)
