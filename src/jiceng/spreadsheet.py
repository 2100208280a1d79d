"""Every spreadsheet jiceng writes (ledgers, reports, case and registry lists), and one rule for its cells.

Text a spreadsheet would run as a formula (beginning with = + - @, or a tab or
carriage return before one) is written behind a leading apostrophe, as OWASP
advises, so opening an export never executes what a resident typed; times are
written as the site's wall time, because Excel cells have no time zone.
A bottom-layer module: it imports nothing from the domain apps.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.image import Image as XLImage
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_value(value: Any) -> Any:
    """``value`` as a cell no spreadsheet runs as a formula; aware datetimes as naive local wall time."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


HEADER_FILL = PatternFill("solid", fgColor="EEF2F6")
TOTAL_FILL = PatternFill("solid", fgColor="FFF4E5")


def _width(value: Any) -> int:
    text = value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else str(value if value is not None else "")
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def add_sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
              totals: Sequence[Any] | None = None, first: bool = False, caption: str = "") -> None:
    """A sheet with a caption line (optional), a bold frozen header, the rows, a totals row and fitted widths."""
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    start = 1
    if caption:
        ws.cell(row=1, column=1, value=excel_value(caption)).font = Font(bold=True, size=13)
        start = 2
    widths = [_width(h) for h in headers]
    for col, h in enumerate(headers, 1):
        cell = ws.cell(row=start, column=col, value=excel_value(h))
        cell.font, cell.fill, cell.alignment = Font(bold=True), HEADER_FILL, Alignment(horizontal="center")
    r = start
    for r, row in enumerate(rows, start + 1):
        for col, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=col, value=excel_value(value))
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, float) and 0 <= value <= 1 and headers[col - 1].endswith("率"):
                cell.number_format = "0.0%"
            widths[col - 1] = max(widths[col - 1], min(_width(value), 60))
    if totals is not None:
        r += 1
        for col, value in enumerate(totals, 1):
            cell = ws.cell(row=r, column=col, value=excel_value(value))
            cell.font, cell.fill = Font(bold=True), TOTAL_FILL
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    for col, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = max(6, w + 2)


def add_image_sheet(wb: Workbook, title: str, pngs: Sequence[bytes]) -> None:
    """A sheet holding chart images (matplotlib PNGs), one below the other."""
    ws = wb.create_sheet(title[:31])
    row = 1
    for png in pngs:
        img = XLImage(io.BytesIO(png))
        ws.add_image(img, f"A{row}")
        row += int(img.height / 20) + 2


def workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def new_workbook() -> Workbook:
    return Workbook()


def text_cell(value: Any) -> Any:
    """For list exports: numbers and dates as they are, anything else as text (None empty, booleans as words)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float, date)):
        value = str(value)
    return excel_value(value)


def list_workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], limit: int,
                  widths: Sequence[int] | None = None) -> bytes:
    """A one-sheet list streamed row by row (write-only, so a long list never sits in memory as cells).

    Bold frozen header, column widths from ``widths`` or the header, dates formatted, at most ``limit`` rows.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    for col, h in enumerate(headers, 1):
        ws.column_dimensions[get_column_letter(col)].width = max(8, (widths[col - 1] if widths else _width(h)) + 2)
    header = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=excel_value(h))
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        header.append(cell)
    ws.append(header)
    for i, row in enumerate(rows):
        if i >= limit:
            break
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=text_cell(value))
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], limit: int,
                  widths: Sequence[int] | None = None):
    """A download of :func:`list_workbook` under ``filename`` (Chinese names survive: RFC 6266 encoding)."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    response = HttpResponse(list_workbook(title, headers, rows, limit, widths), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
