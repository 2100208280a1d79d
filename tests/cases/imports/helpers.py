"""Historical case files for the import tests, written as an office would."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from jiceng.cases.importer import COLUMNS, LABELS

HEADER = [LABELS[f] for f in COLUMNS]


def row(world, village=None, **kw) -> list:
    """One good row in ``village`` (default: the first township's first village)."""
    village = village or world.villages[0]
    unit = world.unit("village_committee", village.code)
    values = {"number": "", "title": "村道路灯不亮", "description": "村口三盏路灯坏了一周", "category": "道路交通",
              "village": village.code, "grid": "", "channel": "热线", "received": "2024-03-05 09:12",
              "resolved": "2024-03-08 16:30", "unit": unit.name, "rating": "满意", "state": "已销号"}
    values.update(kw)
    return [values[f] for f in COLUMNS]


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    wb.active.append(HEADER)
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
