"""Registry steps for tests: valid generated ID numbers, people registered in a village of the test world."""

from __future__ import annotations

import datetime as dt
import itertools

from jiceng.people.actions import PersonInput, do_register_person
from jiceng.people.idnumber import make_id_number

_seq = itertools.count(1)


def new_id(born: dt.date = dt.date(1960, 5, 17), area: str = "431102") -> str:
    return make_id_number(area, born, next(_seq))


def register(world, user=None, village=None, grid=None, **kw):
    village = village or world.villages[-1]
    grid = grid if grid is not None else world.grids_by_village[village.code][0]
    user = user or world.users[f"cun-{village.code}"]
    data = PersonInput(id_number=kw.pop("id_number", None) or new_id(), name=kw.pop("name", "李桂英"), phone=kw.pop("phone", "13912345678"),
                       address=kw.pop("address", f"{village.name}3组12号"), area=village, grid=grid)
    person, _ = do_register_person(user, data)
    return person
