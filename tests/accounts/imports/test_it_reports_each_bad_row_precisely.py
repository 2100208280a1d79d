"""Every bad row is reported with its row, its column's Chinese header and the reason; nothing is written."""

from __future__ import annotations

import pytest

from jiceng.accounts.imports import do_import_registry
from jiceng.accounts.models import User
from jiceng.areas.models import Area, Grid, Unit
from jiceng.tabular import ImportRejected, TabularError

from .helpers import csv_bytes, new_township, xlsx_bytes


def _errors(admin, kind, rows) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        do_import_registry(admin, kind, xlsx_bytes(kind, rows), "bad.xlsx")
    return [(e.row, e.column, e.message) for e in caught.value.errors]


def _has(errors, row, column, words):
    assert any(r == row and c == column and words in m for r, c, m in errors), errors


def test_areas(world):
    admin = world.users["admin"]
    township, village = new_township(world)
    errors = _errors(admin, "areas", [
        ["12345", "短代码", ""],
        ["991102398000", "无此省", ""],
        [village[:6] + "397201", "孤村", ""],  # its township is neither registered nor in the file
        [village, "子村", ""],  # its township is in the file, with an error
        [township, "", ""],
        [township[:9] + "001", "错上级", "431102000000"],
        [world.villages[0].code, "重复", ""], [world.villages[0].code, "重复", ""],
    ])
    _has(errors, 2, "区划代码", "必须是12位数字")
    _has(errors, 3, "区划代码", "省级代码“99”不存在")
    _has(errors, 4, "区划代码", f"上级区划“{village[:6]}397000”不存在")
    _has(errors, 5, "区划代码", f"所依赖的“{township}”在本文件第6行，该行有错误")
    _has(errors, 6, "名称", "不能为空")
    _has(errors, 7, "上级代码", f"应为“{township}”")
    _has(errors, 9, "区划代码", "与第8行重复")
    assert not Area.objects.filter(code=village).exists()


def test_grids(world):
    admin = world.users["admin"]
    village, other = world.villages[0], world.villages[1]
    errors = _errors(admin, "grids", [
        [other.code + "0099", "错村", village.code, ""],
        ["12", "太短", village.code, ""],
        [village.code + "0098", "无村", "431102398201", ""],
        [village.code + "0097", "非网格员", village.code, "admin"],
        [village.code + "0096", "无此人", village.code, "nobody"],
    ])
    _has(errors, 2, "网格代码", f"应以所属村（社区）代码“{village.code}”开头")
    _has(errors, 3, "网格代码", "13至16位数字")
    _has(errors, 4, "所属村（社区）代码", "不存在")
    _has(errors, 5, "网格员用户名", "“admin”不是网格员")
    _has(errors, 6, "网格员用户名", "“nobody”不存在")
    assert not Grid.objects.filter(name="非网格员").exists()


def test_units(world):
    admin = world.users["admin"]
    township, village = world.townships[0], world.villages[0]
    errors = _errors(admin, "units", [
        ["bad code!", "甲", "镇", township.code, "司法所", ""],
        ["u-2", "乙", "省", township.code, "司法所", ""],
        ["u-3", "丙", "镇", village.code, "司法所", ""],
        ["u-4", "丁", "镇", township.code, "火星办", ""],
        ["u-5", "戊", "镇", township.code, "司法所", "也许"],
    ])
    _has(errors, 2, "单位代码", "只能由字母、数字")
    _has(errors, 3, "层级", "请填“村”“镇”或“县”")
    _has(errors, 4, "服务区划代码", "须服务乡镇级区划")
    _has(errors, 5, "单位类型", "该层级可选：")
    _has(errors, 6, "启用", "只能填“是”或“否”")
    assert not Unit.objects.filter(code__startswith="u-").exists()


def test_users(world):
    admin = world.users["admin"]
    township, village = world.townships[0], world.villages[0]
    grid = Grid.objects.filter(area=village).first()
    errors = _errors(admin, "users", [
        ["a b", "甲", "网格员", village.code, "", "", ""],
        ["u2", "乙", "村长", village.code, "", "", ""],
        ["u3", "丙", "网格员", township.code, "", "", ""],
        ["u4", "丁", "乡镇（街道）工作人员", "", "", "", ""],
        ["u5", "戊", "网格员", village.code, "", "", "12345"],
        ["u6", "己", "村（社区）干部", village.code, "", grid.code, ""],
        ["u7", "庚", "县直部门办件员", "", "", "", ""],
        ["u8", "辛", "网格员", village.code, "no-such-unit", "", ""],
    ])
    _has(errors, 2, "用户名", "只能由字母、数字和")
    _has(errors, 3, "角色", "角色“村长”不存在，可填：群众、网格员、村（社区）干部")
    _has(errors, 4, "辖区代码", "角色“网格员”的辖区应为村（社区），")
    _has(errors, 5, "辖区代码", "须填写辖区代码（乡镇）")
    _has(errors, 6, "手机号", "不是有效的手机号")
    _has(errors, 7, "网格代码", "只有网格员负责网格")
    _has(errors, 8, "所属单位代码", "须填写所属单位代码")
    _has(errors, 9, "所属单位代码", "单位“no-such-unit”不存在")
    assert not User.objects.filter(username__in=["u2", "u3", "u4", "u5", "u6", "u7", "u8"]).exists()


def test_a_missing_required_column_is_named(world):
    with pytest.raises(TabularError) as caught:
        do_import_registry(world.users["admin"], "areas", "名称\n甲\n".encode(), "a.csv")
    assert "“区划代码”" in caught.value.message


def test_an_unknown_kind_lists_the_kinds(world):
    from jiceng.errors import NotFound

    with pytest.raises(NotFound) as caught:
        do_import_registry(world.users["admin"], "planets", csv_bytes("areas", []), "a.csv")
    assert "areas、units、grids、users" in caught.value.message
