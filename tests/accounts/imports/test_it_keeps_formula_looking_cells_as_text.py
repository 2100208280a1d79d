"""A formula (or text that looks like one) is never evaluated: a name that is a formula is refused, and the error file escapes it."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from jiceng.accounts.imports import do_import_registry
from jiceng.areas.models import Area

from .helpers import new_township, xlsx_bytes


def test_formula_names_are_refused_and_escaped_in_the_error_file(world):
    township, village = new_township(world)
    rows = [[township, '=HYPERLINK("http://x","点我")', ""], [village, "@SUM(A1)", ""]]
    summary = do_import_registry(world.users["admin"], "areas", xlsx_bytes("areas", rows), "a.xlsx", valid_only=True)
    assert summary.created == 0 and {e.column for e in summary.errors} >= {"名称"}
    assert any("像是公式" in e.message for e in summary.errors)
    sheet = load_workbook(io.BytesIO(summary.error_file)).active
    names = [sheet.cell(row, 3).value for row in (2, 3)]
    assert names == ['\'=HYPERLINK("http://x","点我")', "'@SUM(A1)"]
    assert sheet.cell(2, 3).data_type == "s"
    assert not Area.objects.filter(code__in=[township, village]).exists()
