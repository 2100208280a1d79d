"""The roster import: all or nothing with row-level Chinese errors; known ID numbers update; bulk statements, not row by row."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from jiceng.people import identity
from jiceng.people.importer import ImportRejected, do_import_roster, read_sheet, template_workbook
from jiceng.people.models import Household, Membership, Person, PersonTag

from .helpers import new_id


def rows_for(world, n, village=None, **extra):
    village = village or world.villages[-1]
    grid = world.grids_by_village[village.code][0]
    return [{"id_number": new_id(), "name": f"测试{i}", "phone": "13812345678", "address": f"{village.name}{i}号", "village": village.code,
             "grid": grid.code, "household": f"H{village.code}-{i // 3}", "relationship": "户主" if i % 3 == 0 else "子女",
             "tags": "低保、独居老人" if i % 2 else "", "valid_from": "2026-01-01", **extra} for i in range(n)]


def test_a_clean_roster_is_imported_in_bulk(world):
    staff = world.users[f"cun-{world.villages[-1].code}"]
    rows = rows_for(world, 300)
    with CaptureQueriesContext(connection) as ctx:
        result = do_import_roster(staff, rows, source="2026年民政名册")
    assert (result.created, result.updated, result.households_created, result.tags_created) == (300, 0, 100, 300)
    assert len(ctx.captured_queries) < 60  # a few statements per batch, not one per row
    head = Household.objects.get(number=f"H{world.villages[-1].code}-0").head
    assert head.name == "测试0"
    assert PersonTag.objects.filter(source="2026年民政名册").count() == 300


def test_importing_again_updates_and_keeps_tags(world):
    staff = world.users[f"cun-{world.villages[-1].code}"]
    rows = rows_for(world, 30)
    do_import_roster(staff, rows, source="第一次")
    for r in rows:
        r["phone"] = "13900000000"
    result = do_import_roster(staff, rows, source="第二次")
    assert (result.created, result.updated, result.tags_created, result.tags_kept) == (0, 30, 0, 30)
    assert Person.objects.filter(identity.by_phone_q("13900000000")).count() == 30
    assert Membership.objects.filter(left__isnull=True).count() == 30


def test_any_bad_row_rejects_the_whole_file_with_row_errors(world):
    staff = world.users[f"cun-{world.villages[-1].code}"]
    rows = rows_for(world, 10)
    rows[3]["id_number"] = rows[3]["id_number"][:17] + ("0" if rows[3]["id_number"][17] != "0" else "1")
    rows[5]["tags"] = "低保、不存在的标签"
    rows[7]["phone"] = "12"
    rows[8]["id_number"] = rows[1]["id_number"]
    with pytest.raises(ImportRejected) as exc:
        do_import_roster(staff, rows, source="x")
    found = [(e.row, e.column) for e in exc.value.errors]
    assert found == [(5, "身份证号码"), (7, "标签"), (9, "联系电话"), (10, "身份证号码")]
    assert "校验码错误" in exc.value.errors[0].message and "第2行" not in exc.value.errors[0].message
    assert "与第3行的身份证号码重复" in exc.value.errors[3].message
    assert "第5行【身份证号码】" in exc.value.message
    assert Person.objects.count() == 0 and Household.objects.count() == 0


def test_rows_outside_the_importers_area_are_refused(world):
    staff = world.users[f"cun-{world.villages[-1].code}"]
    rows = rows_for(world, 3, village=world.villages[0])
    with pytest.raises(ImportRejected, match="不在您可以登记的辖区内"):
        do_import_roster(staff, rows, source="x")
    assert Person.objects.count() == 0


def test_the_sheet_reader_maps_chinese_headers(world):
    data = template_workbook()
    rows = read_sheet(data, "名册.xlsx")
    assert rows[0]["name"] == "张三明" and rows[0]["tags"] == "低保、独居老人"
    wb = Workbook()
    wb.active.append(["姓名", "住址"])
    out = io.BytesIO()
    wb.save(out)
    from jiceng.errors import InvalidInput

    with pytest.raises(InvalidInput, match="身份证号码"):
        read_sheet(out.getvalue(), "x.xlsx")
