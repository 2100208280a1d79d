"""Registry files for the import tests, written as an office would."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from jiceng.accounts.imports import KINDS


def header(kind: str) -> list[str]:
    return [h[0] for h in KINDS[kind].columns.values()]


def csv_bytes(kind: str, rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header(kind), *rows])
    return out.getvalue().encode(encoding)


def xlsx_bytes(kind: str, rows: list[list]) -> bytes:
    wb = Workbook()
    wb.active.append(header(kind))
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def new_township(world) -> tuple[str, str]:
    """A township code in the demo county that the demo does not use, and a village code under it."""
    county = world.county.code[:6]
    return county + "398000", county + "398201"
