"""By explicit choice, only the valid rows: the rest (and rows depending on them) go to an error workbook."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from jiceng.accounts.imports import do_import_registry
from jiceng.areas.models import Area

from .helpers import new_township, xlsx_bytes


def test_valid_rows_are_written_and_rejects_go_to_the_error_file(world):
    admin = world.users["admin"]
    township, village = new_township(world)
    other = world.townships[0].code[:9] + "399"  # a new village under an existing township
    rows = [[township, "", ""], [village, "新建村", ""], [other, "另一村", ""], ["4311", "坏代码", ""]]
    summary = do_import_registry(admin, "areas", xlsx_bytes("areas", rows), "a.xlsx", valid_only=True)
    assert (summary.created, summary.rejected) == (1, 3)
    assert Area.objects.filter(code=other).exists() and not Area.objects.filter(code__in=[township, village]).exists()
    sheet = load_workbook(io.BytesIO(summary.error_file)).active
    got = [[c.value for c in r] for r in sheet.iter_rows()]
    assert got[0] == ["原行号", "区划代码", "名称", "上级代码", "错误原因"]
    assert [r[0] for r in got[1:]] == [2, 3, 5]
    assert "【名称】不能为空" in got[1][4] and f"第2行，该行有错误" in got[2][4] and got[3][1] == "4311"
    # Correcting the file and importing everything again: the written row is unchanged, the others are new.
    fixed = [[township, "新建镇", ""], [village, "新建村", ""], [other, "另一村", ""]]
    again = do_import_registry(admin, "areas", xlsx_bytes("areas", fixed), "a.xlsx")
    assert (again.created, again.unchanged) == (2, 1)
