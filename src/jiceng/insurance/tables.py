"""Reading the spreadsheets offices exchange (Excel .xlsx or CSV) and writing
the roster-check workbook (openpyxl). Files are read by the one shared reader,
:mod:`jiceng.tabular` (encodings, limits, header matching).

Row numbers are the spreadsheet's own (the header row is row 1 when it is the
first row), so an official can go straight to the cell. Columns are found by
their header text; the accepted names are in :data:`COLUMN_ALIASES`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from jiceng import tabular
from jiceng.people.idnumber import normalise_id_number, validate_id_number

from .categories import CATEGORY_NAMES
from .messages import cell_text
from .roster import RowProblem, check_roster

#: Largest table we read (rows); a county's list is far smaller.
MAX_ROWS = 500_000

#: Header names accepted for each logical column (compared after NFKC and
#: removing spaces, so full-width brackets and stray spaces do not matter).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "证件号码", "身份证", "id_number"),
    "name": ("姓名", "name"),
    "category": ("人员类别", "类别", "困难类别", "救助类别", "category"),
    "village_code": ("村（社区）代码", "村(社区)代码", "村社区代码", "村代码", "社区代码", "行政区划代码", "区划代码",
                     "village_code", "area"),
}
COLUMN_LABELS = {"id_number": "身份证号码", "name": "姓名", "category": "人员类别", "village_code": "村（社区）代码"}

INSURED_SHEET = "参保名册"
#: Where a person of the registry (not of an uploaded list) came from, in place of a row number.
REGISTRY_LABEL = "人员登记库"
VULNERABLE_SHEET = "困难群体名单"


# The shared reader's types: a whole-file problem, and a sheet's header and numbered rows.
TableError = tabular.TabularError
Table = tabular.Table


@dataclass(frozen=True)
class CellProblem:
    """A bad cell or row: which table, spreadsheet row, column and why (Chinese)."""

    sheet: str
    row: int
    column: str
    reason: str

    @property
    def text(self) -> str:
        """The message every adapter shows (see :mod:`.messages`)."""
        return cell_text(self.sheet, self.row, self.column, self.reason)

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason, "text": self.text}


@dataclass
class RosterReport:
    """The outcome of a roster check (应保尽保核对)."""

    missing: dict[str, list[dict[str, Any]]]
    problems: list[CellProblem]
    insured_count: int
    checked_count: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def missing_count(self) -> int:
        return sum(len(rows) for rows in self.missing.values())


# --------------------------------------------------------------------------
# Reading


def read_table(data: bytes, filename: str, label: str) -> Table:
    """Read the first sheet of an .xlsx file, or a CSV file (UTF-8 or GB18030), through :mod:`jiceng.tabular`.

    The first non-empty row is the header. Raises :class:`TableError`.
    """
    return tabular.read_table(data, filename, label, max_rows=MAX_ROWS)


def find_columns(table: Table, wanted: Sequence[str], required: Sequence[str]) -> dict[str, int]:
    """Column index of each wanted field found in the header.

    Raises :class:`TableError` naming a required column that is missing.
    """
    found = tabular.find_columns(table, {f: COLUMN_ALIASES[f] for f in wanted})
    for fieldname in required:
        if fieldname not in found:
            names = "、".join(COLUMN_ALIASES[fieldname][:3])
            raise TableError(f"{table.label}：第 {table.header_row} 行表头中找不到“{COLUMN_LABELS[fieldname]}”列（可用列名：{names}）")
    return found


def column_name(table: Table, index: int) -> str:
    """``"B（身份证号码）"``: the column letter and its header text."""
    head = table.titles[index] if index < len(table.titles) else ""
    return f"{get_column_letter(index + 1)}（{head}）" if head else get_column_letter(index + 1)


def read_insured(table: Table) -> tuple[list[str], list[CellProblem]]:
    """ID numbers of the insured roster, and problems with its ID cells.

    A badly typed ID is reported but kept (tidied), because the list of
    vulnerable people may carry the same typing; an ID stored as a number is
    reported and left out (Excel keeps only 15 significant digits).
    """
    cols = find_columns(table, ["id_number"], ["id_number"])
    col = cols["id_number"]
    ids: list[str] = []
    problems: list[CellProblem] = []
    for number, values in table.rows:
        value = _cell(values, col)
        reason = _numeric_id_reason(value)
        if reason:
            problems.append(CellProblem(table.label, number, column_name(table, col), reason))
            continue
        try:
            ids.append(validate_id_number(value))
        except ValueError as exc:
            problems.append(CellProblem(table.label, number, column_name(table, col), str(exc)))
            if normalise_id_number(value):
                ids.append(normalise_id_number(value))
    return ids, problems


def read_vulnerable(table: Table) -> tuple[list[tuple[int, dict[str, Any]]], list[CellProblem]]:
    """Rows of the list of vulnerable people, numbered as in the file.

    Returns ``(rows, problems)``; problems here are only about cell types (an
    ID number stored as a number); rows with them are left out.
    """
    fields = ["id_number", "name", "category", "village_code"]
    cols = find_columns(table, fields, fields)
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[CellProblem] = []
    for number, values in table.rows:
        value = _cell(values, cols["id_number"])
        reason = _numeric_id_reason(value)
        if reason:
            problems.append(CellProblem(table.label, number, column_name(table, cols["id_number"]), reason))
            continue
        row = {name: tabular.cell_text(_cell(values, index)) for name, index in cols.items()}
        row["id_number"] = "" if value is None else str(value)
        rows.append((number, row))
    return rows, problems


def read_people(table: Table) -> tuple[list[tuple[int, dict[str, str]]], list[CellProblem]]:
    """Rows of a people file for the subsidy: village code and category (ID and name optional)."""
    cols = find_columns(table, ["village_code", "category", "id_number", "name"], ["village_code", "category"])
    rows = [(number, {name: tabular.cell_text(_cell(values, index)) for name, index in cols.items()}) for number, values in table.rows]
    return rows, []


def roster_check_tables(insured: Table, vulnerable: Table) -> RosterReport:
    """Check a list of vulnerable people against an insured roster, by village."""
    ids, problems = read_insured(insured)
    rows, type_problems = read_vulnerable(vulnerable)
    problems.extend(type_problems)
    cols = find_columns(vulnerable, list(COLUMN_LABELS), [])
    missing, row_problems = check_roster(ids, rows)
    problems.extend(cell_problem(vulnerable, cols, p) for p in row_problems)
    problems.sort(key=lambda p: (p.sheet != INSURED_SHEET, p.row))
    return RosterReport(missing, problems, insured_count=len(ids), checked_count=len(rows))


# --------------------------------------------------------------------------
# Writing


def roster_workbook(
    report: RosterReport,
    village_names: Mapping[str, str] | None = None,
    show: Callable[[str], bool] | None = None,
    mask_name: Callable[[str], str] | None = None,
    mask_id: Callable[[str], str] | None = None,
) -> bytes:
    """The roster check as an .xlsx file: people not enrolled, totals by village, problems.

    ``show(village_code)`` says whether the reader may see that village's names
    and ID numbers in full; otherwise ``mask_name`` / ``mask_id`` are applied.
    """
    names = village_names or {}
    wb = Workbook()
    ws = wb.active
    ws.title = "未参保人员"
    _write_row(ws, ["村（社区）代码", "村（社区）名称", "姓名", "身份证号码", "人员类别", "名单中的行号（或来源）"])
    for village, people in report.missing.items():
        full = show is None or show(village)
        for person in people:
            name, id_number = person["name"], person["id_number"]
            if not full and "masked" not in person:  # rows already shown as the viewer may see them are kept
                name = mask_name(name) if mask_name else "*"
                id_number = mask_id(id_number) if mask_id else "*"
            where = REGISTRY_LABEL if person.get("source") == "registry" else person["row"]
            _write_row(ws, [village, names.get(village, ""), name, id_number,
                            CATEGORY_NAMES.get(person["category"], person["category"]), where])
    _widths(ws, [16, 22, 12, 22, 26, 12])
    ws.freeze_panes = "A2"

    totals = wb.create_sheet("按村汇总")
    _write_row(totals, ["村（社区）代码", "村（社区）名称", "未参保人数"])
    for village, people in report.missing.items():
        _write_row(totals, [village, names.get(village, ""), len(people)])
    _write_row(totals, ["合计", "", report.missing_count])
    _widths(totals, [16, 22, 12])
    totals.freeze_panes = "A2"

    bad = wb.create_sheet("问题行")
    # The last column is the message exactly as the page, the command line and the API word it.
    _write_row(bad, ["表格", "行号", "列", "原因", "消息"])
    for problem in report.problems:
        _write_row(bad, [problem.sheet, problem.row, problem.column, problem.reason, problem.text])
    _widths(bad, [14, 8, 22, 50, 80])
    bad.freeze_panes = "A2"

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rows_workbook(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet .xlsx file (used for subsidy and batch exports)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    _write_row(ws, header)
    for row in rows:
        _write_row(ws, row)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------


def _cell(values: Sequence[Any], index: int) -> Any:
    return values[index] if index < len(values) else None


def _numeric_id_reason(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "身份证号码以数字格式保存，末几位可能已丢失；请把该列设为“文本”格式后重新填写"
    return None


def cell_problems(table: Table, problems: Iterable[RowProblem]) -> list[CellProblem]:
    """Row problems (by field) as cell problems (by column letter and header) of ``table``."""
    cols = find_columns(table, list(COLUMN_LABELS), [])
    return [cell_problem(table, cols, p) for p in problems]


def cell_problem(table: Table, cols: Mapping[str, int], problem: RowProblem) -> CellProblem:
    index = cols.get(problem.field)
    column = column_name(table, index) if index is not None else COLUMN_LABELS.get(problem.field, problem.field)
    return CellProblem(table.label, problem.row, column, problem.reason)


def _write_row(ws: Any, values: Sequence[Any]) -> None:
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        # Text that starts like a formula must stay text (no formula injection).
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"


def _widths(ws: Any, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
