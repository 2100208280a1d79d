"""The scope table answers exactly what the visibility rules say, case by case, for every kind of user.

The rules (docs/access.md), written here in Python over each case's own
columns and its event log: area staff read their area's subtree, unit
members the cases any of their units was ever named in, grid workers their
grids, everyone what they filed or reported; administrators and auditors all.
``access.visible_cases`` reads them as one semi-join on ``cases_casescope``.
"""

from __future__ import annotations

from datetime import datetime, timezone as tz

import pytest

from jiceng.cases import access, scope
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.actions import do_case_action
from jiceng.demo.cases import generate_cases

from .helpers import handling_case, village_staff

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 10, 20, 10, tzinfo=tz.utc)


def _by_the_rules(user, case: Case, units_named: set[int]) -> bool:
    if access.is_unrestricted(user):
        return True
    if user.pk in (case.reporter_id, case.created_by_id):
        return True
    prefix = user.scope_area.prefix if user.scope_area_id else None
    if user.role in access.AREA_READ_ROLES and prefix and case.area_id.startswith(prefix):
        return True
    if user.role in access.UNIT_ROLES:
        mine = set(user.units.values_list("id", flat=True))
        if mine & (units_named | {case.unit_id}):
            return True
    return user.role == "grid_worker" and case.grid_id in set(user.grids.values_list("id", flat=True))


@pytest.mark.parametrize("listed", [True, False], ids=["shares-listed-by-id", "shares-as-semi-joins"])
def test_every_user_sees_exactly_what_the_rules_allow(world, monkeypatch, listed):
    if not listed:  # the paths for shares too big to list
        monkeypatch.setattr(scope, "LISTED_LIMIT", 0)
        monkeypatch.setattr(scope, "BEYOND_LIMIT", 0)
    generate_cases(world, 300, seed=9, now=NOW)
    # A case that moved up to a county department and came back: the department keeps reading it.
    case = handling_case(world, category="jiufen-land", fields={"parties": ["李建国", "王志勇"]})
    case = do_case_action(case, "escalate", village_staff(world, case.area_id), {"note": "村调解不成"})
    cases = list(Case.objects.all())
    named: dict[int, set[int]] = {}
    for case_id, unit_id in CaseEvent.objects.filter(unit__isnull=False).values_list("case_id", "unit_id"):
        named.setdefault(case_id, set()).add(unit_id)
    users = list(world.users.values())
    assert len(users) > 20
    checked = 0
    for user in users:
        seen = set(access.visible_cases(user).values_list("pk", flat=True))
        expected = {c.pk for c in cases if _by_the_rules(user, c, named.get(c.pk, set()))}
        assert seen == expected, (user.username, user.role, sorted(seen ^ expected)[:5])
        checked += len(expected)
    assert checked > len(cases)  # most cases are seen by several users
