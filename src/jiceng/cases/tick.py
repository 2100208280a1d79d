"""``jiceng tick``: record the consequences of deadlines as case events.

Safe to run every minute, and from two processes at once: each consequence
(due-soon reminder, overdue flag, automatic supervision, automatic escalation)
is recorded at most once per case and deadline. The guard is an
:class:`~jiceng.cases.models.SlaMark` row with a unique constraint, inserted in
the same transaction as the event; the event itself goes through
``do_case_action`` as the system actor, so the hash chain, the optimistic
version check and replay (``jiceng verify``) all hold.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jiceng.areas.models import NEXT_LEVEL

from . import due, sla, workflow
from .actions import do_case_action
from .errors import CaseError, Conflict
from .models import Case, CaseEvent, Category, SlaMark
from .states import Action

log = logging.getLogger(__name__)

# Sent by `jiceng tick` after the deadline work with ``now``; receivers (other apps' periodic
# work) return a line for the command's report or None. The case engine imports none of them.
ticked = Signal()
Kind = SlaMark.Kind
# Suspended cases are left out: their clock stands still.
SCANNED_STATES = sorted(due.SCANNED_STATES)


@dataclass
class TickSummary:
    """What one run did, for the command's output and for tests."""

    scanned: int = 0
    done: dict[str, int] = field(default_factory=lambda: {k: 0 for k in Kind.values})
    raced: int = 0  # consequences another process recorded first, or a case changed meanwhile
    problems: list[str] = field(default_factory=list)

    @property
    def recorded(self) -> int:
        return sum(self.done.values())


supervise_after_hours = due.supervise_after_hours
escalate_after_hours = due.escalate_after_hours


def _overdue_for(case: Case, hours: int, now: datetime) -> bool:
    """Whether ``case`` has been overdue for at least ``hours`` working hours (bounded work)."""
    return sla.add_working_time(case.deadline, hours * 3600) <= now


def due_consequences(case: Case, now: datetime, done: set[tuple[int, str, datetime]]) -> list[str]:
    """The consequences ``case`` has reached at ``now`` and not yet had for its deadline."""
    if case.state not in SCANNED_STATES or case.deadline is None:
        return []
    todo = []

    def new(kind: str) -> bool:
        return (case.pk, kind, case.deadline) not in done

    if case.deadline >= now:
        # A reminder only before the deadline: once overdue it would say nothing new.
        if new(Kind.DUE_SOON) and sla.due_status(case, now).state == sla.Due.DUE_SOON:
            todo.append(Kind.DUE_SOON)
        return todo
    if new(Kind.OVERDUE):
        todo.append(Kind.OVERDUE)
    if new(Kind.SUPERVISE) and _overdue_for(case, supervise_after_hours(), now):
        todo.append(Kind.SUPERVISE)
    if (
        case.category.auto_escalate
        and case.level in NEXT_LEVEL
        and case.state in workflow.RULES[Action.ESCALATE].sources
        and new(Kind.ESCALATE)
        and _overdue_for(case, escalate_after_hours(case.category), now)
    ):
        todo.append(Kind.ESCALATE)
    return todo


def _when(t: datetime) -> str:
    return date_format(timezone.localtime(t), "Y-m-d H:i")


def _action_for(case: Case, kind: str, now: datetime) -> tuple[str, dict]:
    if kind == Kind.REPLY_OVERDUE:
        return Action.FLAG_REPLY_OVERDUE, {"note": _("The answer to the supervision was due %(due)s and has not come") % {"due": _when(case.reply_by)}}
    if kind == Kind.DUE_SOON:
        status = sla.due_status(case, now)
        return Action.REMIND, {"note": _("Due soon: due %(due)s; in working time, %(left)s") % {"left": status.left_text, "due": _when(case.deadline)}}
    if kind == Kind.OVERDUE:
        return Action.FLAG_OVERDUE, {"note": _("Overdue: the deadline was %(due)s") % {"due": _when(case.deadline)}}
    if kind == Kind.SUPERVISE:
        return Action.SUPERVISE, {"note": _("Overdue for more than %(hours)s working hours: supervised automatically; speed up and report progress")
                                  % {"hours": supervise_after_hours()}}
    return Action.ESCALATE, {"note": _("Overdue for more than %(hours)s working hours: escalated automatically to the next tier")
                             % {"hours": escalate_after_hours(case.category)}}


_marked_deadline = due.marked_deadline


def record(case: Case, kind: str, now: datetime) -> Case | None:
    """Record one consequence for the case's current deadline, exactly once.

    Returns the updated case, or None when another process recorded it first.
    Raises Conflict when the case changed since it was read (nothing written).
    """
    action, params = _action_for(case, kind, now)
    with transaction.atomic():
        try:
            with transaction.atomic():  # savepoint: a duplicate marker fails alone
                mark = SlaMark.objects.create(case_id=case.pk, kind=kind, deadline=_marked_deadline(case, kind), at=now)
        except IntegrityError:
            return None
        fresh = do_case_action(case.pk, action, None, params, expected_version=case.version, now=now, actor=workflow.SYSTEM)
        event = CaseEvent.objects.only("pk").get(case_id=fresh.pk, seq=fresh.event_count)
        SlaMark.objects.filter(pk=mark.pk).update(event=event)
    return fresh


def _process(case: Case, now: datetime, done: set, summary: TickSummary) -> Case:
    """Record the deadline's consequences due at ``now``; returns the case as it now stands."""
    for _attempt in range(3):
        try:
            for kind in due_consequences(case, now, done):
                fresh = record(case, kind, now)
                done.add((case.pk, kind, case.deadline))
                if fresh is None:
                    summary.raced += 1
                    continue
                summary.done[kind] += 1
                fresh.category = case.category
                case = fresh
                if kind == Kind.ESCALATE:
                    break  # a new tier, a new deadline: the next run looks again
            return case
        except Conflict:
            # Someone (a person or another tick) changed the case meanwhile: look again.
            summary.raced += 1
            case = Case.objects.select_related("category").get(pk=case.pk)
            done |= set(SlaMark.objects.filter(case_id=case.pk).values_list("case_id", "kind", "deadline"))
        except CaseError as exc:
            summary.problems.append(f"{case.number}: {exc.message}")
            log.warning("tick: %s: %s", case.number, exc.message)
            return case
    return case


def run_tick(now: datetime | None = None, batch: int = 500, progress: Callable[[TickSummary], None] | None = None) -> TickSummary:
    """Record the consequences of every case whose next one is due (``next_due_at <= now``), once each.

    The scan reads the partial index on (next_due_at, id): a steady run touches
    only the cases with something due, however large the table.
    """
    now = now or timezone.now()
    summary = TickSummary()
    with translation.override(settings.LANGUAGE_CODE):  # notes are stored in the site's language
        qs = Case.objects.filter(next_due_at__lte=now).select_related("category")
        last: tuple[datetime, int] | None = None
        while True:
            after = qs if last is None else qs.filter(Q(next_due_at__gt=last[0]) | Q(next_due_at=last[0], pk__gt=last[1]))
            page = list(after.order_by("next_due_at", "pk")[:batch])
            if not page:
                break
            last = (page[-1].next_due_at, page[-1].pk)
            summary.scanned += len(page)
            done = set(SlaMark.objects.filter(case_id__in=[c.pk for c in page]).values_list("case_id", "kind", "deadline"))
            for case in page:
                case = _process(case, now, done, summary)
                case = _flag_late_reply(case, now, done, summary)
                _reschedule(case, now, done)
            if progress:
                progress(summary)
    return summary


def _flag_late_reply(case: Case, now: datetime, done: set, summary: TickSummary) -> Case:
    """Flag once a supervision whose reply date passed unanswered (督办回复超期)."""
    if case.reply_by is None or case.reply_by >= now or case.state not in due.REPLY_STATES:
        return case
    if (case.pk, Kind.REPLY_OVERDUE, case.reply_by) in done:
        return case
    try:
        fresh = record(case, Kind.REPLY_OVERDUE, now)
    except Conflict:
        summary.raced += 1  # changed meanwhile (perhaps answered): the next run looks again
        return case
    except CaseError as exc:
        summary.problems.append(f"{case.number}: {exc.message}")
        return case
    done.add((case.pk, Kind.REPLY_OVERDUE, case.reply_by))
    if fresh is None:
        summary.raced += 1
        return case
    summary.done[Kind.REPLY_OVERDUE] += 1
    fresh.category = case.category
    return fresh


def _reschedule(case: Case, now: datetime, done: set) -> None:
    """Store the case's next instant, leaving out what is recorded; skipped if the case changed meanwhile.

    A consequence that is due but could not be recorded (a problem, a race)
    keeps the case due, so the next run looks again, as before.
    """
    recorded = {k for k in due.KINDS if (case.pk, k, due.marked_deadline(case, k)) in done}
    nxt = due.safe_next_due_at(case, recorded, now)
    if nxt != case.next_due_at:
        Case.objects.filter(pk=case.pk, version=case.version).update(next_due_at=nxt)


def tick_forever(every: float, stop, now: Callable[[], datetime] = timezone.now) -> None:
    """Run ``run_tick`` every ``every`` seconds until ``stop`` (a threading.Event) is set."""
    from django.db import connections

    while not stop.wait(every):
        try:
            s = run_tick(now())
            if s.recorded or s.problems:
                log.info("tick: %s consequences recorded, %s problems", s.recorded, len(s.problems))
        except Exception:  # noqa: BLE001 - a failed run must not stop the server's scheduler
            log.exception("tick failed")
        finally:
            connections.close_all()

