"""Programme steps for tests: a household with a head in a village of the test world, under monitoring."""

from __future__ import annotations

import itertools

from jiceng.people.actions import do_create_household
from jiceng.programmes.monitoring import do_monitor_household
from jiceng.programmes.models import PairingScheme

from tests.people.helpers import register

_n = itertools.count(1)


def staff_of(world, village=None):
    village = village or world.villages[-1]
    return world.users[f"cun-{village.code}"]


def household(world, village=None, grid_index=0, monitored=False, **kw):
    village = village or world.villages[-1]
    grid = world.grids_by_village[village.code][grid_index]
    head = register(world, village=village, grid=grid, **kw)
    h = do_create_household(staff_of(world, village), number=f"T{village.code}-{next(_n)}", area=village, grid=grid,
                            address=f"{village.name}{next(_n)}号", head=head)
    if monitored:
        do_monitor_household(staff_of(world, village), h, risk_types=["因病"], identified_on="2026-01-05")
    return h


def party_scheme() -> PairingScheme:
    return PairingScheme.objects.get(code="party-member")
