"""The one reader of the spreadsheets people upload: Excel (.xlsx) and CSV.

Every import (the people roster, pairings, historical cases) and the insurance
roster check read through :func:`read_table`, so a file is judged the same way
everywhere:

* .xlsx through openpyxl in read-only mode (streamed, the first sheet); a
  formula cell is read as its formula text (``=SUM(A1:A3)``), never evaluated
  and never replaced by a cached value the file may or may not carry, so a
  formula in a typed column is refused as the text it is, and formula-looking
  text is kept literally (exports escape it: ``jiceng.spreadsheet``);
* .csv in UTF-8 (with or without the BOM Excel writes) or, failing that,
  GB18030 (a superset of GBK: what Excel on a Chinese Windows saves), detected
  from the bytes;
* a size limit before anything is parsed and a row limit while reading, so a
  huge file is refused with a message instead of filling memory;
* the first non-blank row is the header; header text is compared after
  stripping and NFKC (full-width letters, digits and brackets → half-width)
  and with inner spaces removed, so “村（社区）代码 ” matches “村(社区)代码”.

Row numbers are the spreadsheet's own (the header is row 1 when it is the
first row), so an official can go straight to the row. Errors are
:class:`TabularError` (a whole-file problem) with a Chinese message naming the
file's label, row and column header. A bottom-layer module: it imports
nothing from the domain apps.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from jiceng.errors import DomainError, InvalidInput

MAX_ROWS = 200_000
MAX_ERRORS_SHOWN = 200
MAX_BYTES = 50 * 1024 * 1024
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")


class TabularError(InvalidInput, ValueError):
    """The whole file cannot be used: unreadable, too large, no header, a required column missing."""

    code = "invalid_file"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass
class Table:
    """A header and the numbered non-blank data rows of one sheet.

    ``header`` is normalised for matching (:func:`header_key`); ``titles`` is the header as written.
    """

    label: str
    header: list[str]
    rows: list[tuple[int, list[Any]]]
    header_row: int = 1
    titles: list[str] = field(default_factory=list)
    encoding: str = ""

    def title(self, index: int) -> str:
        """The header text of column ``index`` as the file writes it."""
        return self.titles[index] if index < len(self.titles) else ""


def _prefix(label: str) -> str:
    return f"{label}：" if label else ""


def header_key(value: Any) -> str:
    """Header text for matching: NFKC (full-width → half-width), no spaces, lower case."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return "".join(text.split()).lower()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as text: whole floats without ``.0``, dates as ISO, surrounding space removed.

    Text that looks like a formula (``=SUM(A1)``) stays the literal text it is: nothing here evaluates it.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes") if (value.hour or value.minute) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def decode_csv(data: bytes, label: str = "") -> tuple[str, str]:
    """``(text, encoding)`` of CSV bytes: UTF-8 (BOM or not), else GB18030; refused clearly otherwise."""
    if b"\x00" in data:
        raise TabularError(_("%(p)s文件不是文本格式的 CSV（含有二进制内容），请另存为 CSV 或上传 .xlsx 文件") % {"p": _prefix(label)})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), ("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError:
            continue
    raise TabularError(_("%(p)sCSV 文件的编码无法识别（既不是 UTF-8 也不是 GBK/GB18030），请在 Excel 中另存为“CSV UTF-8”") % {"p": _prefix(label)})


def _xlsx_rows(data: bytes, label: str, limit: int):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TabularError(_("%(p)s无法读取 Excel 文件（%(kind)s），请确认是 .xlsx 格式") % {"p": _prefix(label), "kind": type(exc).__name__}) from None
    try:
        if not wb.worksheets:
            return
        for number, values in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
            if number > limit:
                raise TabularError(_("%(p)s行数超过 %(n)s 行，请分成几个文件上传") % {"p": _prefix(label), "n": limit - 100})
            yield number, list(values)
    finally:
        wb.close()


def _csv_rows(text: str, label: str):
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    except csv.Error as exc:
        raise TabularError(_("%(p)sCSV 文件格式有误：%(why)s") % {"p": _prefix(label), "why": exc}) from None


def read_table(data: bytes, filename: str, label: str = "", *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> Table:
    """The first sheet of an .xlsx file, or a CSV file; the first non-blank row is the header. Raises TabularError."""
    name = (filename or "").lower()
    if len(data) > max_bytes:
        raise TabularError(_("%(p)s文件大于 %(mb)s MB，请分成几个文件上传") % {"p": _prefix(label), "mb": max_bytes // (1024 * 1024)})
    encoding = ""
    if name.endswith(XLSX_SUFFIXES):
        raw = _xlsx_rows(data, label, max_rows + 100)  # a few blank lines above the header are allowed
    elif name.endswith(CSV_SUFFIXES):
        text, encoding = decode_csv(data, label)
        raw = _csv_rows(text, label)
    else:
        raise TabularError(_("%(p)s不支持的文件类型“%(name)s”，请使用 .xlsx 或 .csv 文件") % {"p": _prefix(label), "name": filename})
    header: list[str] | None = None
    titles: list[str] = []
    header_row = 0
    rows: list[tuple[int, list[Any]]] = []
    for number, values in raw:
        if all(is_blank(v) for v in values):
            continue
        if header is None:
            header, titles, header_row = [header_key(v) for v in values], [cell_text(v) for v in values], number
            continue
        if len(rows) >= max_rows:
            raise TabularError(_("%(p)s行数超过 %(n)s 行，请分成几个文件上传") % {"p": _prefix(label), "n": max_rows})
        rows.append((number, list(values)))
    if header is None:
        raise TabularError(_("%(p)s文件是空的，没有表头") % {"p": _prefix(label)})
    return Table(label, header, rows, header_row, titles, encoding)


def find_columns(table: Table, columns: Mapping[str, Sequence[str]], required: Sequence[str] = ()) -> dict[str, int]:
    """Column index of each field whose accepted headers (``columns[field]``) appear in the header row.

    Raises TabularError naming every required column that is missing, by its first (template) header.
    """
    found: dict[str, int] = {}
    for fieldname, aliases in columns.items():
        keys = {header_key(a) for a in aliases}
        for index, text in enumerate(table.header):
            if text in keys:
                found[fieldname] = index
                break
    missing = [columns[f][0] for f in required if f not in found]
    if missing:
        raise TabularError(_("%(p)s第 %(row)s 行表头中找不到必需的列：%(cols)s") % {
            "p": _prefix(table.label), "row": table.header_row or 1, "cols": "、".join(f"“{m}”" for m in missing)})
    return found


def records(table: Table, positions: Mapping[str, int]) -> list[tuple[int, dict[str, Any]]]:
    """Each data row as ``(row number, {field: raw cell value})`` for the columns found."""
    return [(number, {f: (values[i] if i < len(values) else None) for f, i in positions.items()}) for number, values in table.rows]


@dataclass(frozen=True)
class RowError:
    """One bad cell: the spreadsheet row, the column's header label and why, in Chinese."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("第%(row)s行【%(column)s】%(message)s") % {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(DomainError):
    """The file has errors; nothing was written. ``errors`` lists every bad row (all-or-nothing imports)."""

    code = "import_rejected"

    def __init__(self, errors: list[RowError]) -> None:
        shown = "；".join(str(e) for e in errors[:5])
        more = _("……共%(n)s处错误") % {"n": len(errors)} if len(errors) > 5 else ""
        super().__init__(_("导入未执行，文件中有错误：%(errors)s%(more)s") % {"errors": shown, "more": more}, field="file")
        self.errors = errors

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["errors"] = [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors[:MAX_ERRORS_SHOWN]]
        data["error_count"] = len(self.errors)
        return data
