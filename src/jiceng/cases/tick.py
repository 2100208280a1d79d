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
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jiceng.areas.models import NEXT_LEVEL, UnitLevel

from . import sla, workflow
from .actions import do_case_action
from .errors import CaseError, Conflict
from .models import Case, CaseEvent, Category, SlaMark
from .states import Action, State, Urgency

log = logging.getLogger(__name__)

# Sent by `jiceng tick` after the deadline work with ``now``; receivers (other apps' periodic
# work) return a line for the command's report or None. The case engine imports none of them.
ticked = Signal()
Kind = SlaMark.Kind
# Suspended cases are left out: their clock stands still.
SCANNED_STATES = [s for s in sla.TIMED_STATES if s != State.SUSPENDED]


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


def supervise_after_hours() -> int:
    """Working hours a case may be overdue before it is supervised (督办) automatically."""
    return int(getattr(settings, "JICENG_SUPERVISE_AFTER_HOURS", 4))


def escalate_after_hours(category: Category) -> int:
    """Working hours overdue before automatic escalation: the category's, else the setting."""
    return category.escalate_after_hours or int(getattr(settings, "JICENG_ESCALATE_AFTER_HOURS", 13))


def _horizon(now: datetime) -> datetime:
    """The latest deadline that can be due soon at ``now`` (bounds the scan)."""
    widest = 0
    for cat in Category.objects.filter(active=True).only("sla", "accept_hours", "resolve_days", "visit_days"):
        for urgency in Urgency.values:
            for phase in ("accept", "resolve"):
                for level in (None, *UnitLevel.values):
                    widest = max(widest, sla.limit_for(cat, urgency, phase, level).seconds())
    return sla.add_working_time(now, sla.due_soon_share() * widest)


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


def _marked_deadline(case: Case, kind: str) -> datetime:
    """The deadline a consequence belongs to: the supervision's reply date, or the case's deadline."""
    return case.reply_by if kind == Kind.REPLY_OVERDUE else case.deadline


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


def _process(case: Case, now: datetime, done: set, summary: TickSummary) -> None:
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
            return
        except Conflict:
            # Someone (a person or another tick) changed the case meanwhile: look again.
            summary.raced += 1
            case = Case.objects.select_related("category").get(pk=case.pk)
            done |= set(SlaMark.objects.filter(case_id=case.pk).values_list("case_id", "kind", "deadline"))
        except CaseError as exc:
            summary.problems.append(f"{case.number}: {exc.message}")
            log.warning("tick: %s: %s", case.number, exc.message)
            return


def run_tick(now: datetime | None = None, batch: int = 500, progress: Callable[[TickSummary], None] | None = None) -> TickSummary:
    """Find cases that crossed a threshold and record the consequences once."""
    now = now or timezone.now()
    summary = TickSummary()
    with translation.override(settings.LANGUAGE_CODE):  # notes are stored in the site's language
        qs = Case.objects.filter(state__in=SCANNED_STATES, deadline__lte=_horizon(now)).select_related("category")
        last = 0
        while True:
            page = list(qs.filter(pk__gt=last).order_by("pk")[:batch])
            if not page:
                break
            last = page[-1].pk
            summary.scanned += len(page)
            done = set(SlaMark.objects.filter(case_id__in=[c.pk for c in page]).values_list("case_id", "kind", "deadline"))
            for case in page:
                _process(case, now, done, summary)
            if progress:
                progress(summary)
        _flag_late_replies(now, batch, summary)
    return summary


def _flag_late_replies(now: datetime, batch: int, summary: TickSummary) -> None:
    """Flag once each supervision whose reply date passed unanswered (督办回复超期)."""
    qs = Case.objects.filter(reply_by__lt=now, state__in=list(workflow.RULES[Action.FLAG_REPLY_OVERDUE].sources)).select_related("category")
    last = 0
    while page := list(qs.filter(pk__gt=last).order_by("pk")[:batch]):
        last = page[-1].pk
        done = set(SlaMark.objects.filter(case_id__in=[c.pk for c in page], kind=Kind.REPLY_OVERDUE).values_list("case_id", "deadline"))
        for case in page:
            if (case.pk, case.reply_by) in done:
                continue
            try:
                fresh = record(case, Kind.REPLY_OVERDUE, now)
            except Conflict:
                summary.raced += 1  # changed meanwhile (perhaps answered): the next run looks again
                continue
            except CaseError as exc:
                summary.problems.append(f"{case.number}: {exc.message}")
                continue
            if fresh is None:
                summary.raced += 1
            else:
                summary.done[Kind.REPLY_OVERDUE] += 1


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

