"""Spreadsheet exports of lists, safe to open in Excel: text cells that look like formulas are neutralised."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from jiceng.spreadsheet import excel_value

MAX_EXPORT_ROWS = 200_000


def safe_cell(value: Any) -> Any:
    """Numbers and dates as they are, anything else as text (None empty, booleans as words), formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float, dt.date)):
        value = str(value)
    return excel_value(value)


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(list(headers))
    for i, row in enumerate(rows):
        if i >= MAX_EXPORT_ROWS:
            break
        ws.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_response(filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(workbook_bytes(title, headers, rows),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
