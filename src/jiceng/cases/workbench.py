"""The workbench (我的待办): what waits on a user, as queues with counts.

Each *action queue* is the set of visible cases on which the user may take one
action now. Its filter is the state machine's rule (``workflow.RULES``: the
source states and who may act) written as a database query, so a county's
whole table is never loaded to ask ``allowed_actions`` case by case. The tests
hold the two together: a case is in a user's queue exactly when
``access.allowed_action_names`` offers that user the queue's action.

Besides the action queues, each role gets the watch lists its work needs:
leaders 我督办的, 我包案的 and 超期; grid workers their own reports and their
grids' open cases; residents 我的诉求.

Ordering is by deadline, soonest (so overdue) first, cases without a deadline
last, with keyset pagination on (deadline, id) so a long queue costs the same
per page as a short one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from jiceng.accounts.models import Role, User
from jiceng.areas.models import LEVEL_RANK, UnitLevel, subtree_q

from . import access, filters, sla, workflow
from .errors import CaseError
from .models import Case, CaseEvent
from .states import OPEN_STATES, Action, State

PAGE_SIZE = 25
# Actions safe to take on many cases at once: they ask nothing of the person and change no content.
BULK_ACTIONS = (Action.CLAIM, Action.CLOSE)
BULK_LIMIT = 100


@dataclass(frozen=True)
class Queue:
    key: str
    label: Any
    action: str | None = None  # the action the queue waits for; None for a watch list


# --- who may act, as filters ------------------------------------------------------

def _in_scope_q(user: User) -> Q | None:
    """Cases whose area lies in the scope where ``user`` may act (access.in_area_scope); None: everywhere."""
    if access.is_unrestricted(user):
        return None
    prefix = user.scope_area.prefix if user.scope_area_id else None
    if not prefix or user.role not in access.AREA_SCOPED_ROLES:
        return Q(pk__in=[])
    return subtree_q("area_id", prefix)


# Not Q(): an empty Q vanishes when OR-ed (Q(pk__in=[]) | Q() is the empty set), this one does not.
_ALL = Q(pk__isnull=False)


def _and(*parts: Q | None) -> Q:
    q = _ALL
    for p in parts:
        if p is not None:
            q &= p
    return q


_NOTHING = Q(pk__in=[])


def dispatcher_q(user: User) -> Q:
    """workflow.dispatcher as a filter."""
    if user.role == Role.ADMIN:
        return _ALL  # workflow: an administrator may always act (what they see is visible_cases' business)
    if user.role == Role.SUPERVISOR:
        return _and(_in_scope_q(user))
    if user.role == Role.DISPATCH_CENTRE:
        return _and(_in_scope_q(user), Q(level=UnitLevel.COUNTY))
    if user.role not in workflow.DISPATCH_ROLES:
        return _NOTHING
    rank = access.level_rank(user)
    levels = [lvl for lvl, r in LEVEL_RANK.items() if r <= rank]
    return _and(_in_scope_q(user), Q(level__in=levels))


def handler_q(user: User) -> Q:
    """workflow.handler as a filter."""
    if user.role == Role.ADMIN:
        return _ALL
    if user.role not in workflow.STAFF_ROLES:
        return _NOTHING
    return Q(unit_id__in=list(user.units.values_list("id", flat=True)))


def leader_q(user: User) -> Q:
    """workflow.leader as a filter."""
    if user.role == Role.ADMIN:
        return _ALL
    if user.role != Role.SUPERVISOR:
        return _NOTHING
    return _and(_in_scope_q(user))


def self_handler_q(user: User) -> Q:
    """workflow.self_handler as a filter, with its guard (village tier only)."""
    if user.role == Role.ADMIN:
        return Q(level=UnitLevel.VILLAGE)
    if user.role not in workflow.DISPATCH_ROLES or access.level_rank(user) != LEVEL_RANK[UnitLevel.VILLAGE] or not user.units.exists():
        return _NOTHING
    return _and(_in_scope_q(user), Q(level=UnitLevel.VILLAGE))


def rater_q(user: User) -> Q:
    """workflow.rater as a filter: the reporter who is a resident, or return-visit staff."""
    own = Q(reporter=user) if user.role == Role.RESIDENT else _NOTHING
    return own | dispatcher_q(user)


# The action queues, in the order work flows; each with the filter of who may take it.
_ACTION_QUEUES: tuple[tuple[str, Any, str, Any], ...] = (
    ("accept", gettext_lazy("To accept"), Action.ACCEPT, dispatcher_q),  # 待受理
    ("dispatch", gettext_lazy("To dispatch"), Action.DISPATCH, dispatcher_q),  # 待派单
    ("claim", gettext_lazy("To sign for"), Action.CLAIM, handler_q),  # 待签收
    ("handle", gettext_lazy("Handling now"), Action.RESOLVE, handler_q),  # 办理中
    ("resume", gettext_lazy("Suspended"), Action.RESUME, handler_q),  # 已挂起
    ("extension", gettext_lazy("Extension requests"), Action.APPROVE_EXTENSION,
     lambda u: dispatcher_q(u) | leader_q(u)),  # 待审批延期
    ("rate", gettext_lazy("Return visits"), Action.RATE, rater_q),  # 待回访
    ("decide", gettext_lazy("To decide"), Action.DECIDE, leader_q),  # 待裁决
    ("close", gettext_lazy("To close"), Action.CLOSE, lambda u: dispatcher_q(u) | leader_q(u)),  # 待销号
)
_ACTION_FILTERS = {key: who for key, _label, _action, who in _ACTION_QUEUES}


def action_queue_q(user: User, action: str, who) -> Q:
    """Cases on which ``user`` may take ``action``: the rule's source states, its guard, and who may act."""
    rule = workflow.RULES[action]
    q = Q(state__in=list(rule.sources)) & who(user)
    if action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION):
        q &= Q(pending_extension__isnull=False)
    return q


# --- watch lists ----------------------------------------------------------------------

def _supervised_by_q(user: User) -> Q:
    mine = CaseEvent.objects.filter(actor=user, action=Action.SUPERVISE).values("case_id")
    return Q(pk__in=mine, state__in=list(OPEN_STATES))


def _watch_lists(user: User) -> list[tuple[Queue, Q]]:
    now = timezone.now()
    if user.role == Role.RESIDENT:
        return [(Queue("mine", gettext_lazy("My requests")), Q(reporter=user))]
    out: list[tuple[Queue, Q]] = []
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        out += [
            (Queue("supervised", gettext_lazy("Supervised by me")), _supervised_by_q(user)),
            (Queue("owned", gettext_lazy("Owned by me (包案)")), Q(owner=user, state__in=list(OPEN_STATES))),
        ]
    if user.role == Role.GRID_WORKER:
        grid_ids = list(user.grids.values_list("id", flat=True))
        out += [
            (Queue("reported", gettext_lazy("My reports")), Q(created_by=user) | Q(reporter=user)),
            (Queue("grid_open", gettext_lazy("Open in my grids")), Q(grid_id__in=grid_ids, state__in=list(OPEN_STATES))),
        ]
    if user.role != Role.AUDITOR:
        out.append((Queue("overdue", gettext_lazy("Overdue")), sla.overdue_q(now)))
    return out


# Which action queues each role sees: leaders work on decisions and closing, not on every village's intake.
_ROLE_QUEUES: dict[str, tuple[str, ...]] = {
    Role.RESIDENT: ("rate",),
    Role.GRID_WORKER: ("claim", "handle", "resume"),
    Role.VILLAGE_STAFF: ("accept", "dispatch", "claim", "handle", "resume", "extension", "rate", "close"),
    Role.TOWNSHIP_STAFF: ("accept", "dispatch", "claim", "handle", "resume", "extension", "rate", "close"),
    Role.COUNTY_HANDLER: ("claim", "handle", "resume"),
    Role.DISPATCH_CENTRE: ("accept", "dispatch", "claim", "handle", "resume", "extension", "rate", "close"),
    Role.SUPERVISOR: ("extension", "decide", "close"),
    Role.ADMIN: tuple(k for k, *_rest in _ACTION_QUEUES),
    Role.AUDITOR: (),
}


def queues(user: User) -> list[tuple[Queue, QuerySet[Case]]]:
    """The user's queues, each with its cases (visible to the user, unordered)."""
    visible = access.visible_cases(user)
    wanted = set(_ROLE_QUEUES.get(user.role, ()))
    out = []
    for key, label, action, who in _ACTION_QUEUES:
        if key in wanted:
            label = gettext_lazy("To rate") if (key == "rate" and user.role == Role.RESIDENT) else label
            out.append((Queue(key, label, action), visible.filter(action_queue_q(user, action, who))))
    for queue, q in _watch_lists(user):
        out.append((queue, visible.filter(q)))
    return out


def queue_counts(user: User, all_queues: list[tuple[Queue, QuerySet[Case]]] | None = None) -> list[tuple[Queue, filters.Count]]:
    """Each queue with its size, counted up to filters.COUNT_CAP (``all_queues``: ``queues(user)``, when the caller has them)."""
    return [(queue, filters.count_upto(qs)) for queue, qs in (all_queues if all_queues is not None else queues(user))]


def queue_of(user: User, key: str, all_queues: list[tuple[Queue, QuerySet[Case]]] | None = None) -> tuple[Queue, QuerySet[Case]]:
    """One queue by key; the user's first queue when ``key`` is not one of theirs."""
    all_queues = all_queues if all_queues is not None else queues(user)
    if not all_queues:
        raise CaseError(_("No work list is open to your account"))
    for queue, qs in all_queues:
        if queue.key == key:
            return queue, qs
    return all_queues[0]


# --- ordering and pages ---------------------------------------------------------

def ordered(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Soonest deadline first (so overdue cases lead), cases without a deadline last, then oldest."""
    return filters.ordered(qs, "deadline")


def page(qs: QuerySet[Case], cursor: str = "", size: int = PAGE_SIZE) -> tuple[list[Case], str | None]:
    """One page of ``qs`` in workbench order and the cursor of the next page (None at the end)."""
    return filters.sorted_page(qs, "deadline", cursor, size)


# --- bulk actions ---------------------------------------------------------------

@dataclass
class BulkResult:
    done: list[str]
    failed: list[tuple[str, str]]  # (number, message)


def do_bulk_action(user: User, action: str, numbers: list[str]) -> BulkResult:
    """Take a parameter-less action (签收, 销号) on several cases, each on its own.

    Every case goes through ``do_case_action`` (the same rules, the same chain)
    in its own transaction, so one refusal does not undo the others and is
    reported by case number.
    """
    from .actions import do_case_action

    if action not in BULK_ACTIONS:
        raise CaseError(_("This action cannot be taken on several cases at once"), field="action")
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not numbers:
        raise CaseError(_("Choose at least one case"), field="numbers")
    if len(numbers) > BULK_LIMIT:
        raise CaseError(_("At most %(n)d cases at once") % {"n": BULK_LIMIT}, field="numbers")
    result = BulkResult([], [])
    for number in numbers:
        try:
            with transaction.atomic():
                case = access.access_case(user, number)
                do_case_action(case, action, user, {})
        except CaseError as exc:
            result.failed.append((number, exc.message))
        else:
            result.done.append(number)
    return result
