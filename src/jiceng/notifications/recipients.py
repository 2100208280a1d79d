"""Who hears of a case event: the unit that holds the case, the dispatchers of its tier, its leader, its reporter.

Derived from the registry (users' units and scope areas) at the time the event
is announced; the person who acted is never told of their own action.
"""

from __future__ import annotations

from django.db.models import QuerySet

from jiceng.accounts.models import Role, User
from jiceng.areas.codes import ancestor_code
from jiceng.areas.models import AREA_LEVEL_FOR_UNIT_LEVEL, UnitLevel
from jiceng.cases.models import Case
from jiceng.cases.states import WITH_UNIT_STATES

# Who accepts and dispatches new cases at each tier (workflow.dispatcher): a village's staff, a township's
# staff, the county's dispatch centre (or, where the county has none, its leaders).
DISPATCHER_ROLE = {UnitLevel.VILLAGE: Role.VILLAGE_STAFF, UnitLevel.TOWNSHIP: Role.TOWNSHIP_STAFF, UnitLevel.COUNTY: Role.DISPATCH_CENTRE}


def _active() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def unit_members(unit_id: int | None) -> list[User]:
    if unit_id is None:
        return []
    return list(_active().filter(units=unit_id).order_by("pk"))


def tier_dispatchers(case: Case, level: str) -> list[User]:
    """Staff who accept and dispatch cases of ``case``'s place at ``level``."""
    served = ancestor_code(case.area_id, AREA_LEVEL_FOR_UNIT_LEVEL[UnitLevel(level)])
    users = list(_active().filter(role=DISPATCHER_ROLE[UnitLevel(level)], scope_area_id=served).order_by("pk"))
    if not users and level == UnitLevel.COUNTY:
        users = list(_active().filter(role=Role.SUPERVISOR, scope_area_id=served).order_by("pk"))
    return users


def holders(case: Case, level: str, state: str, unit_id: int | None) -> list[User]:
    """Who must act now: the unit's members once it has the case, else the tier's dispatchers; and the leader who owns it (包案)."""
    people = unit_members(unit_id) if state in WITH_UNIT_STATES and unit_id else tier_dispatchers(case, level)
    if case.owner_id and case.owner.is_active:
        people.append(case.owner)
    return people


def reporter(case: Case) -> list[User]:
    """The resident who reported the case with their account (anonymous reports have none)."""
    return [case.reporter] if case.reporter_id and case.reporter.is_active and not case.anonymous else []


def without(people: list[User], actor_id: int | None) -> list[User]:
    """Each person once, the actor left out."""
    seen: set[int] = set()
    out = []
    for p in people:
        if p.pk != actor_id and p.pk not in seen:
            seen.add(p.pk)
            out.append(p)
    return out
