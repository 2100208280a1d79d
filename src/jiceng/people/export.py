"""Spreadsheet exports of registry and programme lists (the writer and its cell rule: ``jiceng.spreadsheet``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

from jiceng import spreadsheet

MAX_EXPORT_ROWS = 200_000


def xlsx_response(filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    return spreadsheet.xlsx_response(filename, title, headers, rows, MAX_EXPORT_ROWS)
