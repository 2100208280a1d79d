"""The roster import reads what the shared reader reads: a GB18030 CSV with full-width headers and blank rows, rows numbered as in Excel."""

from __future__ import annotations

import pytest

from jiceng.people.importer import ImportRejected, do_import_roster, read_sheet
from jiceng.people.models import Person

from .helpers import new_id


def test_a_gb18030_csv_with_full_width_headers_imports(world):
    village = world.villages[-1]
    good = new_id()
    text = f"身份证号码,姓名,村（社区）代码\r\n{good},张三明,{village.code}\r\n,,\r\n123,李四,{village.code}\r\n"
    rows = read_sheet(text.encode("gb18030"), "名册.csv")
    with pytest.raises(ImportRejected) as exc:
        do_import_roster(world.users[f"cun-{village.code}"], rows, source="民政名册")
    assert [(e.row, e.column) for e in exc.value.errors] == [(4, "身份证号码")]  # the blank row 3 keeps its place
    assert Person.objects.count() == 0
    rows = read_sheet(text.replace(f"123,李四,{village.code}\r\n", "").encode("gb18030"), "名册.csv")
    assert do_import_roster(world.users[f"cun-{village.code}"], rows, source="民政名册").created == 1
    assert Person.objects.get().name == "张三明"
