"""Checking a people file for the enrollment subsidy row by row (pure Python)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from .categories import normalise_category
from .policy import Policy
from .roster import RowProblem
from .subsidy import subsidy_for

_AREA_RE = re.compile(r"^\d{12}$")


def subsidy_rows(
    policy: Policy, numbered_rows: Iterable[tuple[int, Mapping[str, Any]]]
) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Each good row with its subsidy, and every problem (all rows are checked).

    Rows have ``village_code`` (12 digits) and ``category``; ``id_number`` and
    ``name`` are carried through when present. Good rows come back as
    ``{"row", "village_code", "category", "subsidy", ...}``.
    """
    good: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    cache: dict[str, Decimal] = {}
    for number, row in numbered_rows:
        found: list[RowProblem] = []
        village = str(row.get("village_code") or "").strip()
        if not _AREA_RE.match(village):
            found.append(RowProblem(number, "village_code", "应为12位数字（如 431102101201）"))
        category = ""
        try:
            category = normalise_category(row.get("category"))
        except ValueError as exc:
            found.append(RowProblem(number, "category", str(exc)))
        if found:
            problems.extend(found)
            continue
        if category not in cache:
            cache[category] = subsidy_for(policy, category)
        item = {"row": number, "village_code": village, "category": category, "subsidy": cache[category]}
        for extra in ("id_number", "name", "source"):
            if row.get(extra):
                item[extra] = str(row[extra]).strip()
        good.append(item)
    return good, problems
