"""A GB18030 CSV saved by Excel on Chinese Windows is read, and formula-looking cells stay literal text (escaped on export)."""

from __future__ import annotations

from jiceng.cases.importer import do_import_cases, read_cases_file
from jiceng.cases.models import Case
from jiceng.spreadsheet import excel_value

from .helpers import csv_bytes, row, xlsx_bytes


def test_a_gb18030_csv_is_read_with_its_chinese_intact(world):
    village = world.villages[0]
    data = csv_bytes([row(world, village=village, title="村道路灯不亮（GB18030）", channel="网格巡查")], "gb18030").replace(village.code.encode(), village.name.encode("gb18030"))
    assert do_import_cases(world.users["admin"], read_cases_file(data, "历史工单.csv")).created == 1
    case = Case.objects.get()
    assert case.title == "村道路灯不亮（GB18030）" and case.area_id == village.code and case.channel == "patrol"


def test_formula_looking_cells_are_stored_as_text_and_escaped_on_export(world):
    formula = '=HYPERLINK("http://evil.example","点击")'
    rows = [row(world, number="F1", title=formula, description="+cmd|' /C calc'!A0")]
    for name, data in (("a.csv", csv_bytes(rows)), ("b.xlsx", xlsx_bytes([row(world, number="F2", title=formula, description="@SUM(1)")]))):
        do_import_cases(world.users["admin"], read_cases_file(data, name))
    titles = set(Case.objects.values_list("title", flat=True))
    assert titles == {formula}
    assert excel_value(formula) == "'" + formula
    assert set(Case.objects.values_list("description", flat=True)) == {"+cmd|' /C calc'!A0", "@SUM(1)"}
