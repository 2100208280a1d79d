"""The scoped query layer: what each user may see, and who they are to a case.

Every query that returns cases goes through :func:`visible_cases`; the state
machine gets an :class:`~jiceng.cases.workflow.Actor` from :func:`actor_for`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from jiceng.areas.codes import Level
from jiceng.areas.models import subtree_q

from .models import Role, User

if TYPE_CHECKING:
    from jiceng.cases.models import Case
    from jiceng.cases.workflow import Actor

# Roles whose area scope lets them act (with the state machine's consent).
AREA_SCOPED_ROLES = {Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN}
# Roles that read every case in their area subtree; an integration key scoped
# to an area reads that area (it never acts on the workflow).
AREA_READ_ROLES = AREA_SCOPED_ROLES | {Role.INTEGRATION}
# Roles that read the cases of the units they belong to.
UNIT_ROLES = {Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.COUNTY_HANDLER, Role.GRID_WORKER}


def level_rank(user: User) -> int:
    """The tier a user works at: 1 village, 2 township, 3 county or above, 0 none."""
    if user.role == Role.ADMIN:
        return 3
    if user.scope_area_id is None:
        return 0
    level = user.scope_area.level_enum
    if level is Level.VILLAGE:
        return 1
    if level is Level.TOWNSHIP:
        return 2
    return 3


def _area_prefix(user: User) -> str | None:
    return user.scope_area.prefix if user.scope_area_id else None


def visible_cases_q(user: User) -> Q | None:
    """A filter for the cases ``user`` may read; None means all of them.

    Built from indexed lookups only (area code range, unit, grid, reporter) and
    one IN-subquery on the event log, so no join can multiply rows.
    """
    from jiceng.cases.models import CaseEvent

    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role == Role.ADMIN and user.scope_area_id is None:
        return None
    q = Q(reporter=user) | Q(created_by=user)
    prefix = _area_prefix(user)
    if user.role in AREA_READ_ROLES and prefix:
        q |= subtree_q("area_id", prefix)
    if user.role in UNIT_ROLES:
        unit_ids = list(user.units.values_list("id", flat=True))
        if unit_ids:
            # Cases dispatched to the unit now, and those it handled before.
            handled = CaseEvent.objects.filter(unit_id__in=unit_ids).values("case_id")
            q |= Q(unit_id__in=unit_ids) | Q(pk__in=handled)
    if user.role == Role.GRID_WORKER:
        grid_ids = list(user.grids.values_list("id", flat=True))
        if grid_ids:
            q |= Q(grid_id__in=grid_ids)
    return q


def visible_cases(user: User) -> QuerySet["Case"]:
    """All cases ``user`` may read. The one entry point for case lists."""
    from jiceng.cases.models import Case

    q = visible_cases_q(user)
    qs = Case.objects.all()
    return qs if q is None else qs.filter(q)


def in_area_scope(user: User, area_code: str) -> bool:
    """Whether ``area_code`` lies in the user's area scope."""
    if user.role == Role.ADMIN and user.scope_area_id is None:
        return True
    prefix = _area_prefix(user)
    return bool(prefix and user.role in AREA_SCOPED_ROLES and area_code.startswith(prefix))


def actor_for(user: User | None, case: "Case | None" = None, area_code: str | None = None) -> "Actor":
    """Describe ``user`` to the state machine for a given case (or area)."""
    from jiceng.cases.workflow import Actor

    if user is None or not user.is_authenticated:
        return Actor(user_id=None, role=Role.RESIDENT)
    code = case.area_id if case is not None else area_code
    return Actor(
        user_id=user.pk,
        role=user.role,
        level_rank=level_rank(user),
        unit_ids=frozenset(user.units.values_list("id", flat=True)),
        in_scope=bool(code) and in_area_scope(user, code),
        is_reporter=case is not None and case.reporter_id == user.pk,
    )


def needs_personal_data(user: User, case: "Case") -> bool:
    """Whether ``user`` has a need to see the reporter's name, phone and ID.

    The reporter themself, and staff who accept, handle or supervise the case;
    never auditors, never the public.
    """
    from jiceng.cases import workflow

    if not user.is_authenticated or user.role == Role.AUDITOR:
        return False
    if case.reporter_id == user.pk:
        return True
    actor = actor_for(user, case)
    s = case.snapshot()
    return workflow.dispatcher(actor, s) or workflow.handler(actor, s) or workflow.leader(actor, s)


def log_personal_data_access(user: User, case: "Case", purpose: str = "view") -> None:
    """Record that ``user`` viewed the unmasked personal data of ``case``."""
    from .models import PersonalDataAccess

    PersonalDataAccess.objects.create(user=user, case=case, purpose=purpose)
