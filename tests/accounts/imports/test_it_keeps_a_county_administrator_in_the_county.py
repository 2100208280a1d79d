"""An administrator with a scope area imports only inside it; a platform-wide administrator (no scope) anywhere."""

from __future__ import annotations

import pytest

from jiceng.accounts.imports import do_import_registry
from jiceng.accounts.models import Role, User
from jiceng.areas.models import Area
from jiceng.tabular import ImportRejected

from .helpers import new_township, xlsx_bytes


def test_a_township_scoped_administrator_cannot_add_outside(world):
    own, other = world.townships
    admin = User.objects.create(username="town-admin", role=Role.ADMIN, scope_area=own)
    inside, outside = own.code[:9] + "399", other.code[:9] + "399"
    with pytest.raises(ImportRejected) as caught:
        do_import_registry(admin, "areas", xlsx_bytes("areas", [[inside, "内村", ""], [outside, "外村", ""]]), "a.xlsx")
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "区划代码")]
    assert "不在您的辖区" in caught.value.errors[0].message and not Area.objects.filter(code=inside).exists()
    with pytest.raises(ImportRejected) as caught:
        do_import_registry(admin, "users", xlsx_bytes("users", [["x-1", "甲", "乡镇（街道）工作人员", other.code, "", "", ""]]), "u.xlsx")
    assert caught.value.errors[0].column == "辖区代码"


def test_a_platform_administrator_adds_a_new_township(world):
    township, _village = new_township(world)
    assert do_import_registry(world.users["admin"], "areas", xlsx_bytes("areas", [[township, "新建镇", ""]]), "a.xlsx").created == 1
