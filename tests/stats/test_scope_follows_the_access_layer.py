import pytest
from django.core.management import call_command

from jiceng.cases.errors import NotPermitted
from jiceng.stats.access import scope_for
from jiceng.stats.metrics import period_figures

from .helpers import OCTOBER, refreshed, walk


def test_a_township_head_sees_only_their_township(world, client):
    here, there = world.townships
    walk(world, ["accept"], village=[v for v in world.villages if v.code.startswith(here.prefix)][0])
    walk(world, ["accept"], village=[v for v in world.villages if v.code.startswith(there.prefix)][0])
    refreshed()
    head = next(u for u in world.users.values() if u.role == "township_staff" and u.scope_area_id == here.code)
    scope = scope_for(head)
    assert scope.area_prefix == here.prefix
    assert period_figures(scope, OCTOBER)["intake"] == 1
    assert period_figures(scope_for(world.users["leader"]), OCTOBER)["intake"] == 2


def test_a_township_head_may_not_narrow_to_another_township(world, client):
    here, there = world.townships
    head = next(u for u in world.users.values() if u.role == "township_staff" and u.scope_area_id == here.code)
    with pytest.raises(NotPermitted):
        scope_for(head).narrowed(there.code)
    client.force_login(head)
    assert client.get(f"/stats/?area={there.code}").status_code == 403


def test_residents_and_grid_workers_get_no_statistics(world, client):
    for name in ("resident-1", next(n for n in world.users if n.startswith("grid-"))):
        with pytest.raises(NotPermitted):
            scope_for(world.users[name])
        client.force_login(world.users[name])
        assert client.get("/stats/").status_code == 403
        assert client.get("/stats/ledgers/hazard/").status_code == 403


def test_a_department_head_sees_the_cases_of_their_units(world):
    head = world.users["county-civil_affairs"]
    scope = scope_for(head)
    assert scope.unit_ids == tuple(head.units.values_list("id", flat=True))
