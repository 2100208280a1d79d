"""Enrollment subsidy: the part of the resident premium paid by public funds."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .categories import normalise_category
from .money import ZERO, round_cents
from .policy import Policy


def subsidy_for(policy: Policy, category: str) -> Decimal:
    """Premium paid for one person of ``category`` (yuan, rounded to the cent).

    Categories not listed in ``[subsidy.shares]`` (normally ``ordinary``) get 0.
    Raises ``ValueError`` for an unknown category.
    """
    code = normalise_category(category)
    share = policy.subsidy.shares.get(code, Decimal(0))
    # Documented rounding point: each person's subsidy is rounded to the cent.
    return round_cents(policy.subsidy.premium * share)


def subsidy_totals(policy: Policy, people: Iterable[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """Subsidy totals per area for ``(area_code, category)`` pairs.

    Returns ``{area_code: {"people", "subsidised", "amount", "by_category"}}``
    where ``by_category`` maps each category seen to ``{"people", "amount"}``.
    Amounts are sums of the per-person subsidies, so they add up exactly.
    Areas are returned sorted by code. Raises ``ValueError`` (with the row
    number, counting from 1) on an empty area code or unknown category.
    """
    per_person: dict[str, Decimal] = {}
    totals: dict[str, dict[str, Any]] = {}
    for row, (area, category) in enumerate(people, start=1):
        area_code = str(area).strip() if area is not None else ""
        if not area_code:
            raise ValueError(f"第 {row} 条：区划代码不能为空")
        try:
            code = normalise_category(category)
        except ValueError as exc:
            raise ValueError(f"第 {row} 条：{exc}") from None
        if code not in per_person:
            per_person[code] = subsidy_for(policy, code)
        amount = per_person[code]
        entry = totals.setdefault(area_code, {"people": 0, "subsidised": 0, "amount": ZERO, "by_category": {}})
        entry["people"] += 1
        if amount > 0:
            entry["subsidised"] += 1
        entry["amount"] += amount
        cat = entry["by_category"].setdefault(code, {"people": 0, "amount": ZERO})
        cat["people"] += 1
        cat["amount"] += amount
    return {area: totals[area] for area in sorted(totals)}
