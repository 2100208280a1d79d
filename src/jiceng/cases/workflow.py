"""The one state machine of the case engine.

Pure functions, no database: :func:`plan` decides whether an actor may perform
an action on a case in its current state and what event that produces;
:func:`apply` folds an event into a snapshot. The database layer
(``actions.py``), the demo generator and replay all use these two functions, so
a rule exists here and nowhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jiceng.accounts.capabilities import CAPABILITIES, Capability
from jiceng.accounts.models import Role
from jiceng.areas.models import LEVEL_RANK, NEXT_LEVEL, UnitLevel

from .errors import InvalidInput, NotPermitted, TransitionNotAllowed
from .states import TIMED_STATES, Action, Rating, State


def _roles_with(capability: Capability) -> frozenset[str]:
    return frozenset(role for role, caps in CAPABILITIES.items() if capability in caps and role != Role.ADMIN)


# From the one role → capability table (admins are handled apart: they may do everything).
STAFF_ROLES = _roles_with(Capability.HANDLE)
DISPATCH_ROLES = _roles_with(Capability.DISPATCH)


@dataclass(frozen=True)
class Actor:
    """Who acts, as far as the state machine needs to know.

    ``level_rank`` is the tier the actor works at (1 village, 2 township,
    3 county, 0 none); ``in_scope`` says the case lies in the actor's area
    scope (decided by the scoped query layer, not here).
    """

    user_id: int | None
    role: str
    level_rank: int = 0
    unit_ids: frozenset[int] = frozenset()
    in_scope: bool = False
    is_reporter: bool = False


SYSTEM = Actor(user_id=None, role=Role.ADMIN, level_rank=3, in_scope=True)


@dataclass(frozen=True)
class Snapshot:
    """Everything about a case that its events determine."""

    state: str | None = None
    level: str = UnitLevel.VILLAGE
    unit_id: int | None = None
    deadline: datetime | None = None
    plan: str = ""
    result: str = ""
    rating: str = ""
    rating_waiver: str = ""
    reopen_count: int = 0
    supervise_count: int = 0
    escalation_count: int = 0
    owner_id: int | None = None
    pending_extension: datetime | None = None
    merged_into: str = ""
    resolved_level: str = ""
    suspended_at: datetime | None = None
    # 承诺办结时间: the date promised to the resident when the case was first accepted.
    # Escalation starts the next tier's own deadline but never moves this promise;
    # only an approved extension (a recorded decision) does.
    promised_at: datetime | None = None
    # 督办回复期限: by when the holder must answer the latest supervision; cleared by the answer.
    reply_by: datetime | None = None
    # The category fields: those submitted (carried in the submit event since
    # chain version 2; None for older cases, whose replay cannot know them) and
    # those the resolve step adds or changes.
    fields: dict | None = None

    def replace(self, **changes: Any) -> "Snapshot":
        return dataclasses.replace(self, **changes)


SNAPSHOT_FIELDS = tuple(f.name for f in dataclasses.fields(Snapshot))


# --- who may act --------------------------------------------------------

def _is_admin(a: Actor) -> bool:
    return a.role == Role.ADMIN


def dispatcher(a: Actor, s: Snapshot) -> bool:
    """Village/township staff in scope at or above the case's tier, leaders in scope.

    The county's dispatch centre dispatches county-tier cases only: village and
    township cases stay with their own tiers.
    """
    if _is_admin(a):
        return True
    if a.role == Role.SUPERVISOR:
        return a.in_scope
    if a.role == Role.DISPATCH_CENTRE:
        return a.in_scope and s.level == UnitLevel.COUNTY
    return a.role in DISPATCH_ROLES and a.in_scope and a.level_rank >= LEVEL_RANK[UnitLevel(s.level)]


def handler(a: Actor, s: Snapshot) -> bool:
    """A member of the unit the case is dispatched to."""
    return _is_admin(a) or (a.role in STAFF_ROLES and s.unit_id is not None and s.unit_id in a.unit_ids)


def leader(a: Actor, s: Snapshot) -> bool:
    return _is_admin(a) or (a.role == Role.SUPERVISOR and a.in_scope)


def self_handler(a: Actor, s: Snapshot) -> bool:
    """Village staff in scope, who accept a village matter and handle it in their own committee (自办)."""
    if _is_admin(a):
        return True
    return a.role in DISPATCH_ROLES and a.in_scope and a.level_rank == LEVEL_RANK[UnitLevel.VILLAGE] and bool(a.unit_ids)


def system(a: Actor, s: Snapshot) -> bool:
    """Only the system clock (``tick``), never a person."""
    return a.user_id is None and a.role == Role.ADMIN


def rater(a: Actor, s: Snapshot) -> bool:
    """The reporter rates, or staff record the rating from a return visit."""
    return (a.is_reporter and a.role == Role.RESIDENT) or dispatcher(a, s)


def note_taker(a: Actor, s: Snapshot) -> bool:
    """Who holds the case: the dispatcher before it is signed for, the handler after.

    Lets a dispatcher record, e.g., that a new case repeats another one before
    anyone handles it, without letting them write into a unit's handling record.
    """
    return handler(a, s) if s.state in _HANDLING else dispatcher(a, s)


def _any(*preds: Callable[[Actor, Snapshot], bool]) -> Callable[[Actor, Snapshot], bool]:
    return lambda a, s: any(p(a, s) for p in preds)


@dataclass(frozen=True)
class Param:
    """What an action asks of the person doing it: one input of its form or API body.

    ``kind`` is one of text, textarea, date, unit, next_unit, rating, decision,
    files, resolve_fields; adapters turn it into a widget or a schema type.
    """

    name: str
    kind: str
    label: Any


@dataclass(frozen=True)
class Rule:
    sources: frozenset[str]
    who: Callable[[Actor, Snapshot], bool]
    who_label: str


_HANDLING = frozenset({State.HANDLING, State.SUSPENDED})
_BEFORE_HANDLING = frozenset({State.SUBMITTED, State.ACCEPTED, State.DISPATCHED})
_MERGEABLE = frozenset({State.SUBMITTED, State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.SUSPENDED})
_OPEN = frozenset(set(State) - {State.REFUSED, State.CLOSED, State.MERGED})
_TIMED = TIMED_STATES

RULES: dict[str, Rule] = {
    Action.ACCEPT: Rule(frozenset({State.SUBMITTED}), dispatcher, "dispatcher"),
    Action.SELF_HANDLE: Rule(frozenset({State.SUBMITTED}), self_handler, "self_handler"),
    Action.REFUSE: Rule(frozenset({State.SUBMITTED}), dispatcher, "dispatcher"),
    Action.DISPATCH: Rule(frozenset({State.ACCEPTED}), dispatcher, "dispatcher"),
    Action.RETURN: Rule(frozenset({State.DISPATCHED, State.HANDLING}), handler, "handler"),
    Action.CLAIM: Rule(frozenset({State.DISPATCHED}), handler, "handler"),
    Action.NOTE: Rule(_HANDLING | _BEFORE_HANDLING, _any(note_taker, leader), "note_taker"),
    Action.SUSPEND: Rule(frozenset({State.HANDLING}), handler, "handler"),
    Action.RESUME: Rule(frozenset({State.SUSPENDED}), handler, "handler"),
    Action.REQUEST_EXTENSION: Rule(_HANDLING, handler, "handler"),
    Action.APPROVE_EXTENSION: Rule(_HANDLING, _any(dispatcher, leader), "dispatcher"),
    Action.REJECT_EXTENSION: Rule(_HANDLING, _any(dispatcher, leader), "dispatcher"),
    Action.ESCALATE: Rule(frozenset({State.ACCEPTED, State.DISPATCHED, State.HANDLING}), _any(handler, dispatcher), "handler"),
    Action.SUPERVISE: Rule(_OPEN, leader, "leader"),
    Action.TAKE_OWNERSHIP: Rule(_OPEN, leader, "leader"),
    Action.RESOLVE: Rule(frozenset({State.HANDLING}), handler, "handler"),
    Action.RATE: Rule(frozenset({State.RESOLVED}), rater, "rater"),
    Action.WAIVE_RATING: Rule(frozenset({State.RESOLVED}), dispatcher, "dispatcher"),
    Action.DECIDE: Rule(frozenset({State.DISPUTED}), leader, "leader"),
    Action.CLOSE: Rule(frozenset({State.RATED}), _any(dispatcher, leader), "dispatcher"),
    Action.MERGE: Rule(_MERGEABLE, dispatcher, "dispatcher"),
    Action.REMIND: Rule(_TIMED, system, "system"),
    Action.FLAG_OVERDUE: Rule(_TIMED, system, "system"),
    Action.FLAG_REPLY_OVERDUE: Rule(_OPEN, system, "system"),
}

PARAMS: dict[str, tuple[Param, ...]] = {
    Action.ACCEPT: (Param("plan", "textarea", gettext_lazy("Agreed plan")), Param("deadline", "date", gettext_lazy("Deadline (empty: by the category's limit)"))),
    Action.SELF_HANDLE: (Param("plan", "textarea", gettext_lazy("How the village handles it")), Param("deadline", "date", gettext_lazy("Deadline (empty: by the category's limit)"))),
    Action.REFUSE: (Param("note", "textarea", gettext_lazy("Reason for refusal")),),
    Action.DISPATCH: (Param("unit_id", "unit", gettext_lazy("Unit (empty: the suggested one)")),),
    Action.RETURN: (Param("note", "textarea", gettext_lazy("Why this unit is wrong")),),
    Action.CLAIM: (),
    Action.NOTE: (Param("note", "textarea", gettext_lazy("Progress")), Param("files", "files", gettext_lazy("Attachments"))),
    Action.SUSPEND: (Param("note", "textarea", gettext_lazy("Reason (the clock stops)")),),
    Action.RESUME: (),
    Action.REQUEST_EXTENSION: (Param("deadline", "date", gettext_lazy("New deadline")), Param("note", "textarea", gettext_lazy("Reason"))),
    Action.APPROVE_EXTENSION: (),
    Action.REJECT_EXTENSION: (Param("note", "textarea", gettext_lazy("Reason")),),
    Action.ESCALATE: (Param("unit_id", "next_unit", gettext_lazy("Unit at the next tier (empty: the suggested one)")), Param("note", "textarea", gettext_lazy("Reason"))),
    Action.SUPERVISE: (Param("note", "textarea", gettext_lazy("Instruction")),),
    Action.TAKE_OWNERSHIP: (),
    Action.RESOLVE: (Param("result", "textarea", gettext_lazy("Result")), Param("fields", "resolve_fields", gettext_lazy("Result details"))),
    # The comment goes into the event's note: the handlers read why, the record keeps it beside the rating.
    Action.RATE: (Param("rating", "rating", gettext_lazy("Rating")),
                  Param("note", "textarea", gettext_lazy("Comment (optional; if unsatisfied, say what is still wrong)"))),
    Action.WAIVE_RATING: (Param("note", "textarea", gettext_lazy("Why no rating can be obtained")),),
    Action.DECIDE: (Param("decision", "decision", gettext_lazy("Decision")), Param("note", "textarea", gettext_lazy("Reason"))),
    Action.CLOSE: (),
    Action.MERGE: (Param("into", "text", gettext_lazy("Original case number")),),
}
# Actions people take (the rest are the system clock's).
PERSON_ACTIONS = tuple(PARAMS)

WHO_LABELS = {
    "dispatcher": gettext_noop("staff who accept and dispatch at this level"),
    "handler": gettext_noop("members of the handling unit"),
    "leader": gettext_noop("leaders or supervisors"),
    "rater": gettext_noop("the reporter or return-visit staff"),
    "note_taker": gettext_noop("staff who hold the case now (the dispatcher, then the handling unit)"),
    "self_handler": gettext_noop("staff of the village, who handle the matter in their own committee"),
    "system": gettext_noop("the system clock"),
}


def allowed_actions(s: Snapshot, a: Actor) -> list[str]:
    """The actions ``a`` may take on a case in snapshot ``s`` (for menus)."""
    out = []
    for action, rule in RULES.items():
        if s.state in rule.sources and rule.who(a, s) and _guard_message(action, s) is None:
            out.append(action)
    return out


def _state_label(state: str | None) -> str:
    return str(State(state).label) if state else _("(new)")


def _guard_message(action: str, s: Snapshot) -> str | None:
    """State-dependent conditions beyond the source state, as a refusal message."""
    if action == Action.ESCALATE and s.level not in NEXT_LEVEL:
        return _("the case is already at county level, the highest tier")
    if action == Action.SELF_HANDLE and s.level != UnitLevel.VILLAGE:
        return _("only a matter at village tier is handled by the village itself")
    if action == Action.FLAG_REPLY_OVERDUE and s.reply_by is None:
        return _("no supervision is waiting for a reply")
    if action == Action.REQUEST_EXTENSION and s.pending_extension is not None:
        return _("an extension request is already pending")
    if action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION) and s.pending_extension is None:
        return _("there is no pending extension request")
    return None


# --- planning an action -------------------------------------------------

def _need_text(params: dict, key: str, label: str) -> str:
    value = str(params.get(key) or "").strip()
    if not value:
        raise InvalidInput(_("%(label)s is required") % {"label": label}, field=key)
    if len(value) > 4000:
        raise InvalidInput(_("%(label)s is too long (at most 4000 characters)") % {"label": label}, field=key)
    return value


def _need_datetime(params: dict, key: str, now: datetime, label: str) -> datetime:
    value = params.get(key)
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(_("%(label)s must be a date and time") % {"label": label}, field=key)
    if value <= now:
        raise InvalidInput(_("%(label)s must be in the future") % {"label": label}, field=key)
    return value


def _system_datetime(params: dict, key: str) -> datetime | None:
    """A deadline worked out by the caller from the SLA rules (sla.py), if any."""
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(_("%(label)s must be a date and time") % {"label": key}, field=key)
    return value


def _need_int(params: dict, key: str, label: str) -> int:
    value = params.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(_("%(label)s is required") % {"label": label}, field=key)
    return value


def plan(s: Snapshot, action: str, params: dict, actor: Actor, now: datetime) -> tuple[str, dict, str]:
    """Check that ``actor`` may do ``action`` now and work out its event.

    Returns ``(to_state, payload, note)``. Raises TransitionNotAllowed when the
    state forbids the action (naming state and action), NotPermitted when the
    actor may not do it, InvalidInput when a parameter is missing or wrong.
    """
    if action not in Action.values:
        raise InvalidInput(_("unknown action “%(action)s”") % {"action": action}, field="action")
    action_label = Action(action).label  # lazy: translated only if an error is raised
    if action == Action.SUBMIT:
        raise TransitionNotAllowed(_("a case is submitted only once"))
    if action == Action.ALERT_REPEAT:  # appended by the alert intake (cases.ledger), never planned
        raise TransitionNotAllowed(_("alert counts are recorded by the system"))
    rule = RULES[action]
    if s.state not in rule.sources:
        raise TransitionNotAllowed(
            _("The case is “%(state)s”; “%(action)s” is not possible in this state.")
            % {"state": _state_label(s.state), "action": action_label}
        )
    if (why := _guard_message(action, s)) is not None:
        raise TransitionNotAllowed(
            _("The case is “%(state)s”; “%(action)s” is not possible: %(why)s.")
            % {"state": _state_label(s.state), "action": action_label, "why": why}
        )
    if not rule.who(actor, s):
        raise NotPermitted(
            _("“%(action)s” may only be done by %(who)s.") % {"action": action_label, "who": _(WHO_LABELS[rule.who_label])}
        )
    note = str(params.get("note") or "").strip()
    payload: dict[str, Any] = {}
    to_state = s.state
    match action:
        case Action.ACCEPT:
            payload = {"plan": _need_text(params, "plan", gettext_lazy("The agreed plan")), "deadline": _need_datetime(params, "deadline", now, gettext_lazy("The deadline")).isoformat()}
            to_state = State.ACCEPTED
        case Action.SELF_HANDLE:
            unit_id = params.get("unit_id")  # the village's own unit the actor belongs to, found by the caller
            if not isinstance(unit_id, int) or isinstance(unit_id, bool) or (not _is_admin(actor) and unit_id not in actor.unit_ids):
                raise NotPermitted(_("You handle a matter yourself only in a unit you belong to"))
            payload = {"plan": _need_text(params, "plan", gettext_lazy("How the village handles it")),
                       "deadline": _need_datetime(params, "deadline", now, gettext_lazy("The deadline")).isoformat(), "unit_id": unit_id}
            to_state = State.HANDLING
        case Action.REFUSE:
            note = _need_text(params, "note", gettext_lazy("The reason for refusal"))
            to_state = State.REFUSED
        case Action.DISPATCH:
            payload = {"unit_id": _need_int(params, "unit_id", gettext_lazy("The unit"))}
            to_state = State.DISPATCHED
        case Action.RETURN:
            note = _need_text(params, "note", gettext_lazy("The reason for returning"))
            to_state = State.ACCEPTED
        case Action.CLAIM:
            to_state = State.HANDLING
        case Action.NOTE:
            attachments = list(params.get("attachments") or [])
            if not note and not attachments:
                raise InvalidInput(_("A progress note needs text or an attachment"), field="note")
            if attachments:
                payload = {"attachments": attachments}
            if s.reply_by is not None and note_taker(actor, s):
                payload["replied"] = True  # the holder's progress report answers the supervision
        case Action.SUSPEND:
            note = _need_text(params, "note", gettext_lazy("The reason for suspending"))
            payload = {"since": now.isoformat()}  # the clock stops here
            to_state = State.SUSPENDED
        case Action.RESUME:
            if (moved := _system_datetime(params, "deadline")) is not None:
                payload = {"deadline": moved.isoformat()}  # moved by the paused working time
            to_state = State.HANDLING
        case Action.REQUEST_EXTENSION:
            note = _need_text(params, "note", gettext_lazy("The reason for the extension"))
            new = _need_datetime(params, "deadline", now, gettext_lazy("The requested deadline"))
            if s.deadline and new <= s.deadline:
                raise InvalidInput(_("The requested deadline must be later than the current one"), field="deadline")
            payload = {"deadline": new.isoformat()}
        case Action.APPROVE_EXTENSION:
            assert s.pending_extension is not None
            payload = {"deadline": s.pending_extension.isoformat()}
        case Action.REJECT_EXTENSION:
            note = _need_text(params, "note", gettext_lazy("The reason for rejecting"))
        case Action.ESCALATE:
            note = _need_text(params, "note", gettext_lazy("The reason for escalating"))
            if params.get("via_centre") is True:
                # the next tier's dispatch centre takes it (worked out by the caller, routing.dispatch_centre):
                # it arrives accepted, waiting for the centre to dispatch it to a department
                payload = {"level": NEXT_LEVEL[UnitLevel(s.level)].value, "unit_id": None, "via_centre": True}
                to_state = State.ACCEPTED
            else:
                payload = {"level": NEXT_LEVEL[UnitLevel(s.level)].value, "unit_id": _need_int(params, "unit_id", gettext_lazy("The unit at the next level"))}
                to_state = State.DISPATCHED
            if (fresh := _system_datetime(params, "deadline")) is not None:
                payload["deadline"] = fresh.isoformat()  # the limit of the next tier
        case Action.SUPERVISE:
            note = _need_text(params, "note", gettext_lazy("The supervision instruction"))
            if (reply_by := _system_datetime(params, "reply_by")) is not None:
                payload = {"reply_by": reply_by.isoformat()}  # worked out by the caller (sla.reply_deadline)
        case Action.TAKE_OWNERSHIP:
            payload = {"owner_id": actor.user_id}
        case Action.RESOLVE:
            payload = {"result": _need_text(params, "result", gettext_lazy("The result"))}
            if params.get("fields"):
                payload["fields"] = params["fields"]
            to_state = State.RESOLVED
        case Action.RATE:
            rating = params.get("rating")
            if rating not in Rating.values:
                raise InvalidInput(_("The rating must be satisfied, basically satisfied or unsatisfied"), field="rating")
            payload = {"rating": rating}
            if rating != Rating.UNSATISFIED:
                to_state = State.RATED
            elif s.reopen_count == 0:
                to_state = State.HANDLING  # the first "unsatisfied" reopens the case
                payload["reopened"] = True
            else:
                to_state = State.DISPUTED  # after that, a supervisor decides
        case Action.WAIVE_RATING:
            note = _need_text(params, "note", gettext_lazy("The reason no rating can be obtained"))
            to_state = State.RATED
        case Action.DECIDE:
            decision = params.get("decision")
            if decision not in ("reopen", "uphold"):
                raise InvalidInput(_("The decision must be reopen or uphold"), field="decision")
            note = _need_text(params, "note", gettext_lazy("The reason for the decision"))
            payload = {"decision": decision}
            to_state = State.HANDLING if decision == "reopen" else State.RATED
        case Action.CLOSE:
            to_state = State.CLOSED
        case Action.MERGE:
            payload = {"into": _need_text(params, "into", gettext_lazy("The original case number"))}
            to_state = State.MERGED
        case Action.REMIND | Action.FLAG_OVERDUE:
            if s.deadline is None:
                raise InvalidInput(_("The case has no deadline"), field="deadline")
            payload = {"deadline": s.deadline.isoformat()}
        case Action.FLAG_REPLY_OVERDUE:
            assert s.reply_by is not None
            payload = {"reply_by": s.reply_by.isoformat()}
    return str(to_state), payload, note


def initial_snapshot(level: str, payload: dict | None = None) -> Snapshot:
    """The snapshot of a freshly submitted case."""
    return Snapshot(state=State.SUBMITTED, level=level)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def apply(s: Snapshot, action: str, to_state: str, payload: dict, note: str = "", actor_id: int | None = None) -> Snapshot:
    """Fold one event into a snapshot. The only place events change state."""
    if action == Action.SUBMIT:
        return Snapshot(state=State.SUBMITTED, level=payload["level"], deadline=_dt(payload.get("deadline")), fields=payload.get("fields"))
    changes: dict[str, Any] = {"state": to_state}
    match action:
        case Action.ACCEPT:
            changes.update(plan=payload["plan"], deadline=_dt(payload["deadline"]))
            if s.promised_at is None:
                changes["promised_at"] = _dt(payload["deadline"])
        case Action.SELF_HANDLE:
            changes.update(plan=payload["plan"], deadline=_dt(payload["deadline"]), unit_id=payload["unit_id"])
            if s.promised_at is None:
                changes["promised_at"] = _dt(payload["deadline"])
        case Action.DISPATCH:
            changes["unit_id"] = payload["unit_id"]
        case Action.RETURN:
            changes.update(unit_id=None, reply_by=None)  # the unit answered: not theirs, with its reason
        case Action.REQUEST_EXTENSION:
            changes["pending_extension"] = _dt(payload["deadline"])
        case Action.APPROVE_EXTENSION:
            changes.update(deadline=_dt(payload["deadline"]), pending_extension=None)
            granted = _dt(payload["deadline"])
            if s.promised_at is not None and granted is not None and granted > s.promised_at:
                changes["promised_at"] = granted  # an approved extension is a recorded decision the resident is told of
        case Action.REJECT_EXTENSION:
            changes["pending_extension"] = None
        case Action.SUSPEND:
            changes["suspended_at"] = _dt(payload.get("since"))
        case Action.RESUME:
            changes["suspended_at"] = None
            if payload.get("deadline"):
                changes["deadline"] = _dt(payload["deadline"])
        case Action.ESCALATE:
            # the tier that was supervised answered by passing the case up, with its reason
            changes.update(level=payload["level"], unit_id=payload["unit_id"], escalation_count=s.escalation_count + 1, reply_by=None)
            if payload.get("deadline"):
                changes["deadline"] = _dt(payload["deadline"])
        case Action.SUPERVISE:
            changes["supervise_count"] = s.supervise_count + 1
            if payload.get("reply_by"):
                changes["reply_by"] = _dt(payload["reply_by"])
        case Action.NOTE:
            if payload.get("replied"):
                changes["reply_by"] = None
        case Action.TAKE_OWNERSHIP:
            changes["owner_id"] = payload["owner_id"]
        case Action.RESOLVE:
            changes.update(result=payload["result"], resolved_level=s.level, reply_by=None)  # the result answers any supervision
            if payload.get("fields") and s.fields is not None:
                changes["fields"] = {**s.fields, **payload["fields"]}
        case Action.RATE:
            changes["rating"] = payload["rating"]
            if payload.get("reopened"):
                # handled again: the case is no longer resolved at any tier
                changes.update(reopen_count=s.reopen_count + 1, resolved_level="")
        case Action.WAIVE_RATING:
            changes["rating_waiver"] = note
        case Action.DECIDE:
            if payload["decision"] == "reopen":
                changes.update(reopen_count=s.reopen_count + 1, resolved_level="")
        case Action.MERGE:
            changes.update(merged_into=payload["into"], reply_by=None)
        case Action.REFUSE | Action.CLOSE:
            changes["reply_by"] = None
    return s.replace(**changes)


def replay(events: list[tuple[str, str, dict, str]]) -> Snapshot:
    """Rebuild a snapshot from ``(action, to_state, payload, note)`` tuples in order."""
    s = Snapshot()
    for action, to_state, payload, note in events:
        s = apply(s, action, to_state, payload, note)
    return s
