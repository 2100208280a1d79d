"""The case's record as people read it: who, in which unit, did what, and what was decided.

Built only from the events (their columns and payloads), which the hash chain
covers, so what the page shows is what ``jiceng verify`` checks. The hashes
stay with each entry, folded away on the page behind 核验.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.areas.models import Unit, UnitLevel

from .models import Attachment, CaseEvent
from .states import Action, Rating, State

# Events drawn as turning points of the loop (the page marks them).
_MILESTONES = {Action.SUBMIT, Action.ACCEPT, Action.SELF_HANDLE, Action.DISPATCH, Action.ESCALATE, Action.RESOLVE, Action.RATE,
               Action.DECIDE, Action.CLOSE, Action.REFUSE, Action.MERGE}
_SYSTEM = {Action.REMIND, Action.FLAG_OVERDUE, Action.FLAG_REPLY_OVERDUE, Action.ALERT_REPEAT}


@dataclass
class Entry:
    seq: int
    at: datetime
    action: str
    label: str
    who: str
    unit: str
    note: str
    details: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    kind: str = ""  # milestone, system, reopen, warning
    hash: str = ""
    prev_hash: str = ""


def _when(value: Any) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        return str(value)
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _details(e: CaseEvent, units: dict[int, str], owners: dict[int, str], field_labels: dict[str, str], text) -> list[tuple[str, str]]:
    p = text(e.payload or {})
    out: list[tuple[str, str]] = []
    if e.action in (Action.ACCEPT, Action.SELF_HANDLE) and p.get("plan"):
        out.append((_("Agreed plan"), p["plan"]))
    if p.get("unit_id") and e.action in (Action.DISPATCH, Action.ESCALATE):
        out.append((_("To"), units.get(p["unit_id"], "—")))
    if e.action == Action.ESCALATE:
        if p.get("level") in UnitLevel.values:
            out.append((_("Tier"), str(UnitLevel(p["level"]).label)))
        if p.get("via_centre"):
            out.append((_("To"), _("the tier's dispatch centre")))
    if p.get("deadline") and e.action not in (Action.FLAG_OVERDUE, Action.REMIND):
        label = _("Extended to") if e.action in (Action.APPROVE_EXTENSION, Action.REQUEST_EXTENSION) else _("Deadline")
        out.append((label, _when(p["deadline"])))
    if p.get("reply_by"):
        out.append((_("Reply due"), _when(p["reply_by"])))
    if p.get("owner_id"):
        out.append((_("Case owner (包案)"), owners.get(p["owner_id"], "—")))
    if p.get("result"):
        out.append((_("Result"), p["result"]))
    for key, value in (p.get("fields") or {}).items() if e.action == Action.RESOLVE else ():
        out.append((field_labels.get(key, key), str(value)))
    if p.get("rating") in Rating.values:
        out.append((_("Rating"), str(Rating(p["rating"]).label)))
    if p.get("comment"):
        out.append((_("Comment"), p["comment"]))
    if p.get("decision") == "reopen":
        out.append((_("Decision"), _("Reopen for handling")))
    elif p.get("decision") == "uphold":
        out.append((_("Decision"), _("Uphold the result")))
    if p.get("into"):
        out.append((_("Merged into"), p["into"]))
    if p.get("replied"):
        out.append((_("Supervision"), _("answered by this report")))
    return out


def _kind(e: CaseEvent) -> str:
    p = e.payload or {}
    if p.get("reopened") or p.get("decision") == "reopen":
        return "reopen"
    if e.action in (Action.FLAG_OVERDUE, Action.FLAG_REPLY_OVERDUE, Action.RETURN, Action.SUPERVISE):
        return "warning"
    if e.action in _SYSTEM:
        return "system"
    return "milestone" if e.action in _MILESTONES else ""


def build(events: list[CaseEvent], attachments: list[Attachment], field_labels: dict[str, str] | None = None,
          text=lambda value: value) -> list[Entry]:
    """The readable record of one case, oldest first (events with ``actor`` and ``unit`` selected).

    ``text`` masks free text for viewers without a need to read it (access.case_text).
    """
    unit_ids = {e.payload.get("unit_id") for e in events if isinstance(e.payload, dict) and e.payload.get("unit_id")}
    owner_ids = {e.payload.get("owner_id") for e in events if isinstance(e.payload, dict) and e.payload.get("owner_id")}
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    owners = {u.pk: u.display_name for u in User.objects.filter(pk__in=owner_ids)} if owner_ids else {}
    by_event: dict[int, list[Attachment]] = {}
    for att in attachments:
        by_event.setdefault(att.event_id, []).append(att)
    out = []
    for e in events:
        label = str(Action(e.action).label) if e.action in Action.values else e.action
        if e.payload and e.payload.get("reopened"):
            label = _("Unsatisfied: reopened for handling")
        who = e.actor.display_name if e.actor_id and e.actor else (e.actor_label or (_("System") if e.action in _SYSTEM else "—"))
        entry = Entry(e.seq, e.at, e.action, label, who, e.unit.name if e.unit_id and e.unit else "", text(e.note),
                      _details(e, units, owners, field_labels or {}, text), by_event.get(e.pk, []), _kind(e), e.hash, e.prev_hash)
        if e.to_state == State.DISPUTED:
            entry.details.append((_("State"), str(State.DISPUTED.label)))
        out.append(entry)
    return out
