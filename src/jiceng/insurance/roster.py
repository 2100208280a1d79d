"""Roster check: vulnerable people who are not yet insured, by village."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .categories import VULNERABLE, normalise_category
from jiceng.people.idnumber import normalise_id_number, validate_id_number

_VILLAGE_RE = re.compile(r"^\d{12}$")


def roster_gaps(
    insured_ids: Iterable[str],
    vulnerable_rows: list[Mapping[str, Any]],
) -> tuple[dict[str, list[dict[str, Any]]], list[tuple[int, str]]]:
    """Find vulnerable people missing from the insured list.

    ``vulnerable_rows`` are dicts with ``id_number``, ``name``, ``category``
    (a code or Chinese name of a vulnerable category) and ``village_code``
    (12 digits). Row numbers count from 1 in the order given (the caller adds
    any spreadsheet header offset).

    Returns ``(missing_by_village, bad_rows)``: ``missing_by_village`` maps a
    village code (sorted) to the rows whose ID is not insured, each as
    ``{"row", "id_number", "name", "category"}``; ``bad_rows`` lists
    ``(row_number, reason)`` for rows that cannot be checked (Chinese reason).
    """
    insured: set[str] = set()
    for raw in insured_ids:
        # An insured ID that does not validate can still match a roster row
        # typed the same way, so keep the tidied text either way.
        insured.add(normalise_id_number(raw))

    missing: dict[str, list[dict[str, Any]]] = {}
    bad_rows: list[tuple[int, str]] = []
    first_row: dict[str, int] = {}
    for number, row in enumerate(vulnerable_rows, start=1):
        reasons: list[str] = []
        id_number = ""
        try:
            id_number = validate_id_number(row.get("id_number"))
        except ValueError as exc:
            reasons.append(str(exc))
        name = str(row.get("name") or "").strip()
        if not name:
            reasons.append("姓名不能为空")
        category = ""
        try:
            category = normalise_category(row.get("category"))
            if category not in VULNERABLE:
                reasons.append("人员类别不是困难群体（特困、低保、返贫致贫、监测对象）")
        except ValueError as exc:
            reasons.append(str(exc))
        village = str(row.get("village_code") or "").strip()
        if not _VILLAGE_RE.match(village):
            reasons.append("村（社区）代码应为12位数字")
        if id_number:
            if id_number in first_row:
                reasons.append(f"身份证号码与第 {first_row[id_number]} 行重复")
            else:
                first_row[id_number] = number
        if reasons:
            bad_rows.append((number, "；".join(reasons)))
            continue
        if id_number not in insured:
            missing.setdefault(village, []).append(
                {"row": number, "id_number": id_number, "name": name, "category": category}
            )
    return {v: missing[v] for v in sorted(missing)}, bad_rows
