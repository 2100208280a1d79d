"""`jiceng insurance roster-check` with real .xlsx files built in the test."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from jiceng.insurance import check_digit
from jiceng.insurance.tables import TableError, read_table, roster_check_tables

pytestmark = pytest.mark.django_db  # village names are looked up in the registry


def _id(body17: str) -> str:
    return body17 + check_digit(body17)


A = _id("43110219800101001")
B = _id("43110219800101002")
C = _id("43110219800101003")
D = _id("43110219900101004")
V1, V2 = "431102101201", "431102101202"


def _xlsx(path: Path, rows: list[list]) -> str:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"  # a name typed as text that merely starts with "="
    wb.save(path)
    return str(path)


def _files(tmp_path: Path) -> tuple[str, str]:
    roster = _xlsx(tmp_path / "roster.xlsx", [
        ["序号", "姓名", "身份证号码"],
        [1, "张三", A],
        [2, "某某", A[:-1] + ("0" if A[-1] != "0" else "1")],  # row 3: wrong check digit
        [3, "某人", 431102198001010000],  # row 4: stored as a number
    ])
    vulnerable = _xlsx(tmp_path / "vulnerable.xlsx", [
        ["身份证号码", "姓名", "人员类别", "村（社区）代码"],
        [A, "张三", "低保", V1],  # row 2: insured
        [B, "李四", "特困人员", V2],  # row 3: missing
        [C, "=HYPERLINK(\"x\")", "监测对象", V1],  # row 4: missing; a name that looks like a formula
        [D[:-1] + ("0" if D[-1] != "0" else "1"), "王五", "dibao", V1],  # row 5: bad ID
        [None, None, None, None],  # blank row, skipped
        [D, "", "vip", "4311"],  # row 7: three problems
    ])
    return roster, vulnerable


def test_it_lists_who_is_not_enrolled_by_village_and_exports_excel(tmp_path, world):
    roster, vulnerable = _files(tmp_path)
    out_file = tmp_path / "result.xlsx"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("insurance", "roster-check", "--roster", roster, "--vulnerable", vulnerable, "--out", str(out_file),
                     stdout=out, stderr=err)
    assert caught.value.returncode == 3
    wb = load_workbook(out_file)
    assert wb.sheetnames == ["未参保人员", "按村汇总", "问题行"]
    people = [[c.value for c in row] for row in wb["未参保人员"].iter_rows(min_row=2)]
    assert [(p[0], p[2], p[3], p[4], p[5]) for p in people] == [
        (V1, '=HYPERLINK("x")', C, "防返贫监测对象（低收入人口）", 4),
        (V2, "李四", B, "特困人员", 3),
    ]
    assert wb["未参保人员"]["C2"].data_type == "s"  # text, not a formula
    totals = [[c.value for c in row] for row in wb["按村汇总"].iter_rows(min_row=2)]
    assert (totals[-1][0], totals[-1][2]) == ("合计", 2)
    problems = [[c.value for c in row] for row in wb["问题行"].iter_rows(min_row=2)]
    assert ["参保名册", 3, "C（身份证号码）"] == problems[0][:3] and "校验码错误" in problems[0][3]
    assert problems[1][:3] == ["参保名册", 4, "C（身份证号码）"] and "数字格式" in problems[1][3]
    assert problems[2][:3] == ["困难群体名单", 5, "A（身份证号码）"]
    row7 = {p[2]: p[3] for p in problems if p[1] == 7}
    assert row7 == {"B（姓名）": "姓名不能为空", "C（人员类别）": "未知的人员类别：vip（可填：普通参保人、特困人员、低保对象、返贫致贫人口、监测对象）", "D（村（社区）代码）": "应为12位数字（如 431102101201）"}
    assert "困难群体名单 第 5 行 A（身份证号码） 列：校验码错误" in err.getvalue()
    assert [p[4] for p in problems] == err.getvalue().splitlines()  # the workbook words each problem as the command line
    assert "未参保 2 人，涉及 2 个村（社区）" in out.getvalue()


def test_village_names_come_from_the_registry(tmp_path, world):
    village = world.villages[0]
    roster = _xlsx(tmp_path / "r.xlsx", [["身份证号"], [A]])
    vulnerable = _xlsx(tmp_path / "v.xlsx", [["公民身份号码", "姓名", "类别", "村代码"], [B, "李四", "低保", village.code]])
    out_file = tmp_path / "result.xlsx"
    call_command("insurance", "roster-check", "--roster", roster, "--vulnerable", vulnerable, "--out", str(out_file),
                 stdout=io.StringIO(), stderr=io.StringIO())
    row = [c.value for c in load_workbook(out_file)["未参保人员"][2]]
    assert row[:3] == [village.code, village.name, "李四"]


def test_a_missing_column_is_named(tmp_path):
    roster = _xlsx(tmp_path / "r.xlsx", [["姓名", "电话"], ["张三", "138"]])
    vulnerable = _xlsx(tmp_path / "v.xlsx", [["身份证号码", "姓名", "人员类别", "村（社区）代码"]])
    with pytest.raises(CommandError, match="参保名册：第 1 行表头中找不到“身份证号码”列"):
        call_command("insurance", "roster-check", "--roster", roster, "--vulnerable", vulnerable,
                     stdout=io.StringIO(), stderr=io.StringIO())


def test_a_gb18030_csv_from_excel_is_read():
    data = f"身份证号码,姓名,人员类别,村（社区）代码\r\n{B},李四,低保,{V1}\r\n".encode("gb18030")
    table = read_table(data, "名单.csv", "困难群体名单")
    roster = read_table(f"身份证号码\n{A}\n".encode(), "roster.csv", "参保名册")
    report = roster_check_tables(roster, table)
    assert report.missing == {V1: [{"row": 2, "id_number": B, "name": "李四", "category": "dibao"}]}


def test_a_file_that_is_not_a_spreadsheet_is_refused():
    with pytest.raises(TableError, match="无法读取 Excel 文件"):
        read_table(b"not a zip", "roster.xlsx", "参保名册")
    with pytest.raises(TableError, match="不支持的文件类型"):
        read_table(b"", "roster.pdf", "参保名册")
