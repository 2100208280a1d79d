"""Roster check: vulnerable people who are not yet insured, by village."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .categories import VULNERABLE, normalise_category
from jiceng.people.idnumber import normalise_id_number, validate_id_number

_VILLAGE_RE = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class RowProblem:
    """A problem in one cell (or row) of an input table.

    ``row`` is the row number as the caller numbered it (a spreadsheet row
    number, header included, for files); ``field`` the logical field
    (``id_number``, ``name``, ``category``, ``village_code``); ``reason`` is Chinese.
    """

    row: int
    field: str
    reason: str


def check_roster(
    insured_ids: Iterable[str],
    numbered_rows: Iterable[tuple[int, Mapping[str, Any]]],
) -> tuple[dict[str, list[dict[str, Any]]], list[RowProblem]]:
    """Find vulnerable people missing from the insured list, with cell-level problems.

    ``numbered_rows`` are ``(row_number, row)`` pairs; each row has
    ``id_number``, ``name``, ``category`` (a code or Chinese name of a
    vulnerable category) and ``village_code`` (12 digits). Returns
    ``(missing_by_village, problems)``: villages sorted by code, each with the
    rows whose ID is not insured as ``{"row", "id_number", "name", "category"}``;
    a row with any problem is reported and not checked.
    """
    insured: set[str] = set()
    for raw in insured_ids:
        # An insured ID that does not validate can still match a roster row
        # typed the same way, so keep the tidied text either way.
        insured.add(normalise_id_number(raw))

    missing: dict[str, list[dict[str, Any]]] = {}
    problems: list[RowProblem] = []
    first_row: dict[str, int] = {}
    for number, row in numbered_rows:
        found: list[RowProblem] = []
        id_number = ""
        try:
            id_number = validate_id_number(row.get("id_number"))
        except ValueError as exc:
            found.append(RowProblem(number, "id_number", str(exc)))
        name = str(row.get("name") or "").strip()
        if not name:
            found.append(RowProblem(number, "name", "姓名不能为空"))
        category = ""
        try:
            category = normalise_category(row.get("category"))
            if category not in VULNERABLE:
                found.append(RowProblem(number, "category", "人员类别不是困难群体（特困、低保、返贫致贫、监测对象）"))
        except ValueError as exc:
            found.append(RowProblem(number, "category", str(exc)))
        village = str(row.get("village_code") or "").strip()
        if not _VILLAGE_RE.match(village):
            found.append(RowProblem(number, "village_code", "应为12位数字（如 431102101201）"))
        if id_number:
            if id_number in first_row:
                found.append(RowProblem(number, "id_number", f"身份证号码与第 {first_row[id_number]} 行重复"))
            else:
                first_row[id_number] = number
        if found:
            problems.extend(found)
            continue
        if id_number not in insured:
            missing.setdefault(village, []).append(
                {"row": number, "id_number": id_number, "name": name, "category": category}
            )
    return {v: missing[v] for v in sorted(missing)}, problems


def roster_gaps(
    insured_ids: Iterable[str],
    vulnerable_rows: list[Mapping[str, Any]],
) -> tuple[dict[str, list[dict[str, Any]]], list[tuple[int, str]]]:
    """Find vulnerable people missing from the insured list.

    Like :func:`check_roster` with rows numbered from 1 in the order given
    (the caller adds any spreadsheet header offset); ``bad_rows`` lists
    ``(row_number, reason)`` with all reasons of a row joined by "；".
    """
    missing, problems = check_roster(insured_ids, enumerate(vulnerable_rows, start=1))
    joined: dict[int, list[str]] = {}
    for problem in problems:
        joined.setdefault(problem.row, []).append(problem.reason)
    return missing, [(row, "；".join(reasons)) for row, reasons in joined.items()]
