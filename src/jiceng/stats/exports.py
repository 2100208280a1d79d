"""Excel files of the statistics: Chinese headers, a frozen header row, column widths, a totals row, no formulas.

Every text cell passes :func:`safe_cell`: a value a spreadsheet would run as a
formula is written as text behind a leading apostrophe (the shared rule in
``jiceng.spreadsheet``), so opening a ledger never executes what a resident typed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from jiceng.spreadsheet import excel_value as safe_cell

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
        ws.cell(row=1, column=1, value=safe_cell(caption)).font = Font(bold=True, size=13)
        start = 2
    widths = [_width(h) for h in headers]
    for col, h in enumerate(headers, 1):
        cell = ws.cell(row=start, column=col, value=safe_cell(h))
        cell.font, cell.fill, cell.alignment = Font(bold=True), HEADER_FILL, Alignment(horizontal="center")
    r = start
    for r, row in enumerate(rows, start + 1):
        for col, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=col, value=safe_cell(value))
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
            cell = ws.cell(row=r, column=col, value=safe_cell(value))
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
