"""Each kind accepts a good file; importing the same file again changes nothing (upsert by natural key)."""

from __future__ import annotations

import pytest

from jiceng.accounts.imports import do_import_registry
from jiceng.accounts.models import User
from jiceng.areas.models import Area, Grid, Unit

from .helpers import csv_bytes, new_township, xlsx_bytes


def _twice(admin, kind, data, name="f.xlsx"):
    first = do_import_registry(admin, kind, data, name)
    second = do_import_registry(admin, kind, data, name)
    return first, second


def test_areas_with_a_parent_in_the_same_file(world):
    admin = world.users["admin"]
    township, village = new_township(world)
    data = xlsx_bytes("areas", [[village, "新建村", ""], [township, "新建镇", world.county.code]])
    first, second = _twice(admin, "areas", data)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert Area.objects.get(code=village).parent_id == township and Area.objects.get(code=village).level == "village"
    renamed = do_import_registry(admin, "areas", xlsx_bytes("areas", [[village, "新建社区", ""]]), "g.xlsx")
    assert (renamed.created, renamed.updated) == (0, 1) and Area.objects.get(code=village).name == "新建社区"


def test_units(world):
    admin = world.users["admin"]
    township = world.townships[0]
    rows = [["judicial_office-x1", f"{township.name}第二司法所", "镇", township.code, "司法所", ""],
            ["vc-x2", "新村委会", "村", world.villages[0].code, "village_committee", "否"]]
    first, second = _twice(admin, "units", csv_bytes("units", rows), "u.csv")
    assert (first.created, second.unchanged) == (2, 2)
    unit = Unit.objects.get(code="vc-x2")
    assert unit.level == "village" and unit.kind_id == "village_committee" and not unit.active


def test_grids(world):
    admin = world.users["admin"]
    village = world.villages[0]
    worker = User.objects.filter(role="grid_worker", scope_area=village).first()
    rows = [[village.code + "0099", "第九十九网格", village.code, worker.username]]
    first, second = _twice(admin, "grids", xlsx_bytes("grids", rows))
    assert (first.created, second.unchanged) == (1, 1)
    assert list(Grid.objects.get(code=village.code + "0099").workers.all()) == [worker]


@pytest.mark.parametrize("filename", ["users.xlsx", "users.csv"])
def test_users_get_no_password_and_idempotent(world, filename):
    admin = world.users["admin"]
    village = world.villages[0]
    grid = Grid.objects.filter(area=village).first()
    township = world.townships[0]
    unit = Unit.objects.filter(area=township).first()
    rows = [["new-grid", "李四", "网格员", village.code, "", grid.code, "13900000000"],
            ["new-tz", "王五", "乡镇（街道）工作人员", township.code, unit.code, "", ""],
            ["new-admin", "赵六", "admin", "", "", "", "0746-1234567"]]
    data = xlsx_bytes("users", rows) if filename.endswith("xlsx") else csv_bytes("users", rows)
    first, second = _twice(admin, "users", data, filename)
    assert (first.created, second.created, second.updated, second.unchanged) == (3, 0, 0, 3)
    assert sorted(first.new_users) == ["new-admin", "new-grid", "new-tz"]
    user = User.objects.get(username="new-grid")
    assert user.role == "grid_worker" and user.scope_area_id == village.code and list(user.grids.all()) == [grid]
    assert not user.has_usable_password()
    assert list(User.objects.get(username="new-tz").units.all()) == [unit]
    # An existing user is updated, never given a password.
    changed = do_import_registry(admin, "users", xlsx_bytes("users", [["new-grid", "李四四", "网格员", village.code, "", "", ""]]), "u.xlsx")
    assert changed.updated == 1 and User.objects.get(username="new-grid").real_name == "李四四"
    assert list(User.objects.get(username="new-grid").grids.all()) == [grid]  # an empty cell leaves the grids alone
