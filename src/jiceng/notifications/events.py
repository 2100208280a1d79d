"""Which case events notify whom, and with what: the receiver of ``cases.signals.event_committed``.

The case engine knows nothing of notifications; this module reads the event
that was committed and decides the kind of message and its recipients.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import translation

from jiceng.accounts.models import User
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.states import Action

from . import recipients as who
from .models import Kind
from .notify import do_notify

log = logging.getLogger(__name__)


@dataclass
class Plan:
    kind: str
    people: list[User]
    extra: dict = field(default_factory=dict)  # what the message templates need beyond case and event


def _holders(case: Case, event: CaseEvent) -> list[User]:
    return who.holders(case, case.level, event.to_state, event.unit_id)


def plan_for(event: CaseEvent, case: Case) -> Plan | None:
    """The message an event calls for, or None (most actions tell nobody outside the page)."""
    match event.action:
        case Action.SUBMIT:
            return Plan(Kind.ARRIVED, who.tier_dispatchers(case, event.payload.get("level") or case.level), {"reason": "submitted"})
        case Action.DISPATCH:
            return Plan(Kind.ARRIVED, who.unit_members(event.unit_id), {"reason": "dispatched"})
        case Action.ESCALATE:
            level = event.payload.get("level") or case.level
            people = who.unit_members(event.unit_id) if event.unit_id else who.tier_dispatchers(case, level)
            return Plan(Kind.ARRIVED, people, {"reason": "escalated"})
        case Action.RETURN:
            return Plan(Kind.RETURNED, who.tier_dispatchers(case, case.level))
        case Action.REMIND:
            return Plan(Kind.DUE_SOON, _holders(case, event))
        case Action.FLAG_OVERDUE:
            return Plan(Kind.OVERDUE, _holders(case, event))
        case Action.SUPERVISE:
            return Plan(Kind.SUPERVISED, _holders(case, event))
        case Action.RESOLVE:
            return Plan(Kind.RESOLVED, who.reporter(case))
        case Action.RATE if event.payload.get("reopened"):
            return Plan(Kind.REOPENED, who.unit_members(event.unit_id))
        case Action.DECIDE if event.payload.get("decision") == "reopen":
            return Plan(Kind.REOPENED, who.unit_members(event.unit_id))
    return None


def on_event_committed(sender, *, event_id: int, case_id: int, action: str, **kwargs) -> None:
    """Signal receiver: notify the people an event concerns (after its transaction committed)."""
    event = CaseEvent.objects.select_related("unit", "actor").filter(pk=event_id).first()
    if event is None:
        return
    case = Case.objects.select_related("category", "area", "unit", "owner", "reporter").get(pk=case_id)
    plan = plan_for(event, case)
    if plan is None:
        return
    people = who.without(plan.people, event.actor_id)
    if not people:
        return
    with translation.override(settings.LANGUAGE_CODE):  # stored texts speak the site's language, like the case record
        do_notify(kind=plan.kind, case=case, event=event, recipients=people, extra=plan.extra)
