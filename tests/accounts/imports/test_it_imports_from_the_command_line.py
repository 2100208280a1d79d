"""``jiceng import-registry KIND FILE``: all or nothing, ``--dry-run``, ``--valid-only`` with an error file, ``--template``."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from jiceng.areas.models import Area

from .helpers import csv_bytes, new_township


def _run(*args) -> str:
    out = io.StringIO()
    call_command("import_registry", *args, stdout=out)
    return out.getvalue()


def test_a_bad_file_is_refused_listing_every_error(world, tmp_path):
    township, village = new_township(world)
    path = tmp_path / "区划.csv"
    path.write_bytes(csv_bytes("areas", [[township, "新建镇", ""], [village, "", ""]], "gbk"))
    with pytest.raises(CommandError) as caught:
        _run("areas", str(path))
    assert "一行也没有写入" in str(caught.value) and "第3行【名称】不能为空" in str(caught.value)
    assert not Area.objects.filter(code=township).exists()


def test_dry_run_then_valid_only_writes_the_error_file(world, tmp_path):
    township, village = new_township(world)
    path = tmp_path / "areas.csv"
    path.write_bytes(csv_bytes("areas", [[township, "新建镇", ""], [village, "", ""]]))
    assert "将导入区划：新增 1 条" in _run("areas", str(path), "--dry-run", "--valid-only")
    assert not Area.objects.filter(code=township).exists()
    out = _run("areas", str(path), "--valid-only")
    assert "已导入区划：新增 1 条" in out and "1 行有错误未导入" in out and Area.objects.filter(code=township).exists()
    report = load_workbook(tmp_path / "areas.errors.xlsx").active
    assert [c.value for c in report[1]][-1] == "错误原因" and report.cell(2, 1).value == 3
    assert "未变 1 条" in _run("areas", str(path), "--valid-only")


def test_template_is_written(world, tmp_path):
    out = _run("users", str(tmp_path / "t.xlsx"), "--template")
    assert "模板已写入" in out and load_workbook(tmp_path / "t.xlsx").active["C1"].value == "角色"


def test_new_users_are_named_without_a_password(world, tmp_path):
    path = tmp_path / "users.csv"
    path.write_bytes(csv_bytes("users", [["new-one", "甲", "管理员", "", "", "", ""]]))
    assert "新账号（尚无密码" in _run("users", str(path)) and "new-one" in _run("users", str(path), "--dry-run") + "new-one"
