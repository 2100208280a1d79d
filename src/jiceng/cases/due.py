"""When ``jiceng tick`` next has something to look at for a case: ``Case.next_due_at``.

Each consequence of a deadline fires at an instant worked out here once, when
the deadline (or the state, tier, or supervision reply date) changes, instead
of by every tick run for every open case:

- 临期 due-soon reminder: when at most the due-soon share of the limit is left
  (working time), while the deadline has not passed;
- 超期 overdue flag: just after the deadline;
- 自动督办 automatic supervision: a number of working hours after the deadline;
- 自动升级 automatic escalation: the category's working hours after the deadline;
- 督办回复超期: just after the supervision's reply date.

``next_due_at`` is the earliest of those not yet recorded; ``jiceng tick``
selects ``next_due_at <= now`` through a partial index, records what is due
(the SlaMark rows still make each consequence happen once), and stores the
next instant, or NULL when nothing is left.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings

from jiceng.areas.models import NEXT_LEVEL

from . import sla, workflow
from .states import PHASE_OF_STATE, Action, State

if TYPE_CHECKING:
    from .models import Case, Category

# Suspended cases are left out: their clock stands still.
SCANNED_STATES = frozenset(s for s in sla.TIMED_STATES if s != State.SUSPENDED)
REPLY_STATES = frozenset(workflow.RULES[Action.FLAG_REPLY_OVERDUE].sources)
ESCALATE_STATES = frozenset(workflow.RULES[Action.ESCALATE].sources)
TICK = timedelta(microseconds=1)  # "after the deadline": a consequence that needs ``deadline < now``

# The kinds, as SlaMark.Kind values (not imported: models import nothing from here).
DUE_SOON, OVERDUE, SUPERVISE, REPLY_OVERDUE, ESCALATE = "due_soon", "overdue", "supervise", "reply_overdue", "escalate"
KINDS = (DUE_SOON, OVERDUE, SUPERVISE, REPLY_OVERDUE, ESCALATE)


def supervise_after_hours() -> int:
    """Working hours a case may be overdue before it is supervised (督办) automatically."""
    return int(getattr(settings, "JICENG_SUPERVISE_AFTER_HOURS", 4))


def escalate_after_hours(category: Category) -> int:
    """Working hours overdue before automatic escalation: the category's, else the setting."""
    return category.escalate_after_hours or int(getattr(settings, "JICENG_ESCALATE_AFTER_HOURS", 13))


def due_soon_from(case: Case) -> datetime:
    """The instant the case becomes due soon (as ``sla.due_status`` decides), one second early for rounding."""
    window = sla.due_soon_share() * sla.limit_for(case.category, case.urgency, PHASE_OF_STATE[case.state], case.level).seconds()
    return sla.subtract_working_time(case.deadline, window) - timedelta(seconds=1)


def thresholds(case: Case) -> dict[str, datetime]:
    """Each consequence the case can still reach for its current deadline, with the instant it fires."""
    out: dict[str, datetime] = {}
    if case.state in SCANNED_STATES and case.deadline is not None:
        out[DUE_SOON] = due_soon_from(case)
        out[OVERDUE] = case.deadline + TICK
        out[SUPERVISE] = sla.add_working_time(case.deadline, supervise_after_hours() * 3600)
        if case.category.auto_escalate and case.level in NEXT_LEVEL and case.state in ESCALATE_STATES:
            out[ESCALATE] = sla.add_working_time(case.deadline, escalate_after_hours(case.category) * 3600)
    if case.reply_by is not None and case.state in REPLY_STATES:
        out[REPLY_OVERDUE] = case.reply_by + TICK
    return out


def next_due_at(case: Case, done: Collection[str] = (), now: datetime | None = None) -> datetime | None:
    """The earliest instant a consequence not in ``done`` fires; None when none is left.

    With ``now`` (tick, after recording), a due-soon reminder whose deadline
    has passed is no longer pending: once overdue it would say nothing new.
    """
    pending = {k: t for k, t in thresholds(case).items() if k not in done}
    if now is not None and DUE_SOON in pending and case.deadline < now:
        del pending[DUE_SOON]
    return min(pending.values(), default=None)


def marked_deadline(case: Case, kind: str) -> datetime | None:
    """The deadline a consequence belongs to (its SlaMark's): the supervision's reply date, or the case's deadline."""
    return case.reply_by if kind == REPLY_OVERDUE else case.deadline


def safe_next_due_at(case: Case, done: Collection[str] = (), now: datetime | None = None) -> datetime | None:
    """:func:`next_due_at`, or for a deadline the calendar cannot count from (year 1, year 9999) the deadline itself.

    An absurd deadline must not stop an action; tick then looks at the case
    at its deadline and decides in Python as it always did.
    """
    try:
        return next_due_at(case, done, now)
    except (ValueError, OverflowError):
        return case.deadline or case.reply_by
