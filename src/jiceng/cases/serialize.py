"""Turning cases and registry rows into API dicts — masking personal data on the way."""

from __future__ import annotations

from django.utils import timezone

from . import access
from .models import Case, CaseEvent
from .sla import due_status, is_overdue, reply_is_overdue
from .states import Action, State


def unit_ref(unit) -> dict | None:
    return {"id": unit.pk, "code": unit.code, "name": unit.name} if unit is not None else None


def case_summary(case: Case, now=None) -> dict:
    """The list view of a case: no personal data at all."""
    now = now or timezone.now()
    return {
        "number": case.number, "title": case.title,
        "category": {"code": case.category.code, "name": case.category.name},
        "area": {"code": case.area_id, "name": case.area.name},
        "state": case.state, "state_label": str(State(case.state).label), "level": case.level,
        "unit": unit_ref(case.unit), "channel": case.channel, "urgency": case.urgency, "deadline": case.deadline,
        "overdue": is_overdue(case, now), "due_state": due_status(case, now).state,
        "created_at": case.created_at, "updated_at": case.updated_at,
    }


def case_detail(case: Case, user, *, reveal: bool) -> dict:
    """The full case for a viewer who may read it; personal data raw only when ``reveal``."""
    data = case_summary(case)
    text = access.case_text(user, case)
    data.update({
        "title": text(case.title), "description": text(case.description), "grid": case.grid.code if case.grid_id else None,
        "fields": text(case.fields), "anonymous": case.anonymous,
        "reporter": _reporter(case, user, reveal),
        "plan": text(case.plan), "result": text(case.result), "rating": case.rating, "resolved_level": case.resolved_level,
        "merged_into": case.merged_into, "supervise_count": case.supervise_count, "escalation_count": case.escalation_count,
        "promised_at": case.promised_at, "reply_by": case.reply_by, "reply_overdue": reply_is_overdue(case, timezone.now()),
        "version": case.version, "allowed_actions": access.allowed_action_names(user, case),
    })
    return data


def _reporter(case: Case, user, reveal: bool) -> dict:
    person = access.person_view(user, case, reveal=reveal, purpose="api")
    person.pop("can_reveal", None)
    return person


def event_out(event: CaseEvent, text=lambda value: value) -> dict:
    """One event of the history; ``text`` masks its free text for viewers without a need (access.case_text)."""
    return {
        "seq": event.seq, "action": event.action, "action_label": str(Action(event.action).label) if event.action in Action.values else event.action,
        "from_state": event.from_state, "to_state": event.to_state, "actor": event.actor_label, "unit": unit_ref(event.unit),
        "at": event.at, "note": text(event.note), "payload": text(event.payload), "hash": event.hash,
    }
