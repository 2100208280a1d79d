"""One bad row rejects the whole file, every bad row is listed in Chinese, and another township's village is refused."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from jiceng.cases.importer import do_import_cases, read_cases_file
from jiceng.cases.models import Case, CaseEvent
from jiceng.errors import NotPermitted
from jiceng.tabular import ImportRejected

from .helpers import csv_bytes, row


def _township_staff(world, township):
    return world.users[f"tz-{township.code[6:9]}"]


def test_a_bad_row_rolls_back_the_whole_file_and_every_error_is_named(world):
    rows = [row(world, number="A"), row(world, number="B", category="不存在的分类"), row(world, number="C"),
            row(world, number="D", received="2024-13-40", rating="很好"), row(world, number="E", resolved="2024-03-01 08:00"),
            row(world, number="A")]
    with pytest.raises(ImportRejected) as exc:
        do_import_cases(world.users["admin"], read_cases_file(csv_bytes(rows), "a.csv"))
    found = [(e.row, e.column) for e in exc.value.errors]
    assert found == [(3, "分类"), (5, "受理时间"), (5, "满意度"), (6, "办结时间"), (7, "编号")]
    assert "不存在的分类" in exc.value.errors[0].message and "办结时间早于受理时间" in exc.value.errors[3].message
    assert "第3行【分类】" in exc.value.message
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_a_township_imports_only_its_own_villages(world):
    own, other = world.townships[0], world.townships[1]
    staff = _township_staff(world, own)
    theirs = next(v for v in world.villages if v.code.startswith(other.code[:9]))
    mine = next(v for v in world.villages if v.code.startswith(own.code[:9]))
    with pytest.raises(ImportRejected) as exc:
        do_import_cases(staff, read_cases_file(csv_bytes([row(world, village=mine), row(world, village=theirs)]), "a.csv"))
    assert [(e.row, e.column) for e in exc.value.errors] == [(3, "村/社区")]
    assert "不在您的辖区内" in exc.value.errors[0].message
    assert Case.objects.count() == 0
    assert do_import_cases(staff, read_cases_file(csv_bytes([row(world, village=mine)]), "a.csv")).created == 1


def test_a_user_who_may_not_dispatch_is_refused(world):
    with pytest.raises(NotPermitted):
        do_import_cases(world.users["resident-1"], read_cases_file(csv_bytes([row(world)]), "a.csv"))


def test_the_command_line_reports_every_bad_row_and_writes_nothing(world, tmp_path):
    other = world.townships[1]
    theirs = next(v for v in world.villages if v.code.startswith(other.code[:9]))
    path = tmp_path / "历史.csv"
    path.write_bytes(csv_bytes([row(world), row(world, village=theirs, title="别处的事")], "gb18030"))
    with pytest.raises(CommandError) as exc:
        call_command("import_cases", str(path), "--as", f"tz-{world.townships[0].code[6:9]}", stdout=io.StringIO())
    assert "未导入，一行也没有写入" in str(exc.value) and "第3行【村/社区】" in str(exc.value)
    assert Case.objects.count() == 0
    out = io.StringIO()
    call_command("import_cases", str(path), "--dry-run", stdout=out)
    assert "将导入 2 件历史工单" in out.getvalue() and Case.objects.count() == 0
    call_command("import_cases", str(path), stdout=out)
    assert "已导入 2 件历史工单" in out.getvalue() and Case.objects.count() == 2


def test_empty_required_cells_are_named(world):
    with pytest.raises(ImportRejected) as exc:
        no_village = row(world)
        no_village[4] = ""  # the 村/社区 column
        do_import_cases(world.users["admin"], read_cases_file(csv_bytes([row(world, category="", unit=""), no_village]), "a.csv"))
    assert [(e.row, e.column, e.message) for e in exc.value.errors] == [(2, "分类", "不能为空"), (2, "办理单位", "不能为空"), (3, "村/社区", "不能为空")]
