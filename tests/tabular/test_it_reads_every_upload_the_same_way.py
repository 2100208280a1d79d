"""jiceng.tabular: one reader for .xlsx and CSV (UTF-8 with or without BOM, GB18030), with limits and clear errors."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from jiceng.tabular import TabularError, cell_text, find_columns, read_table, records

HEADER = ["标题", "村（社区）", "受理时间"]
ROW = ["路灯不亮", "431102101201", "2025-03-01"]


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_reads_the_same(encoding):
    table = read_table(_csv([HEADER, ROW]).encode(encoding), "历史.csv", "工单")
    assert table.titles == HEADER and table.rows == [(2, ROW)]
    assert table.encoding == ("gb18030" if encoding == "gb18030" else "utf-8")


def test_xlsx_rows_keep_their_spreadsheet_numbers_and_blank_rows_are_skipped():
    table = read_table(_xlsx([[None], HEADER, ROW, [None, None], ROW]), "a.xlsx")
    assert table.header_row == 2 and [n for n, _v in table.rows] == [3, 5]


def test_full_width_and_spaced_headers_match():
    table = read_table(_csv([[" 标 题 ", "村(社区)", "受理时间"], ROW]).encode(), "a.csv")
    cols = find_columns(table, {"title": ("标题",), "village": ("村（社区）",), "at": ("受理时间",)}, ["title"])
    assert cols == {"title": 0, "village": 1, "at": 2}
    assert records(table, cols)[0] == (2, {"title": "路灯不亮", "village": "431102101201", "at": "2025-03-01"})


def test_a_missing_required_column_is_named_by_its_header():
    table = read_table(_csv([["描述"], ["x"]]).encode(), "a.csv", "历史工单")
    with pytest.raises(TabularError, match="历史工单：第 1 行表头中找不到必需的列：“标题”、“受理时间”"):
        find_columns(table, {"title": ("标题",), "at": ("受理时间",)}, ["title", "at"])


def test_limits_and_unreadable_files_are_refused_in_chinese():
    with pytest.raises(TabularError, match="行数超过 2 行"):
        read_table(_csv([HEADER, ROW, ROW, ROW]).encode(), "a.csv", max_rows=2)
    with pytest.raises(TabularError, match="文件大于 1 MB"):
        read_table(b"x" * (1024 * 1024 + 1), "a.csv", max_bytes=1024 * 1024)
    with pytest.raises(TabularError, match="无法读取 Excel 文件"):
        read_table(b"not a zip", "a.xlsx")
    with pytest.raises(TabularError, match="不支持的文件类型"):
        read_table(b"", "a.pdf")
    with pytest.raises(TabularError, match="编码无法识别"):
        read_table(b"\xff\xfe\xfd\xfc", "a.csv")
    with pytest.raises(TabularError, match="二进制"):
        read_table(b"a,b\x00", "a.csv")
    with pytest.raises(TabularError, match="没有表头"):
        read_table(b"\r\n,,\r\n", "a.csv")


def test_formula_looking_text_stays_literal_text():
    table = read_table(_csv([HEADER, ['=HYPERLINK("http://x","y")', "431102101201", "2025-03-01"]]).encode(), "a.csv")
    assert cell_text(table.rows[0][1][0]) == '=HYPERLINK("http://x","y")'
    assert cell_text(3.0) == "3" and cell_text(None) == ""


def test_an_xlsx_formula_cell_is_read_as_its_text_never_evaluated():
    table = read_table(_xlsx([HEADER, ["=1+1", "=A1", "2025-03-01"]]), "a.xlsx")
    assert table.rows[0][1][:2] == ["=1+1", "=A1"]
