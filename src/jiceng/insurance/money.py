"""Decimal helpers: parsing amounts, rounding to the cent, formatting for people.

All money is ``decimal.Decimal``. Rounding is ROUND_HALF_UP to 0.01 yuan and is
done only where the rules say so (see docs/medical-protection.md).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
RATIO_QUANTUM = Decimal("0.0001")
ZERO = Decimal("0.00")

#: Largest amount accepted on one bill (1亿元). Keeps the int64 batch mode far
#: from overflow: cents x ratio in 1/10000 stays below 2**63 for realistic years.
MAX_AMOUNT = Decimal("100000000.00")


def round_cents(value: Decimal) -> Decimal:
    """Round ``value`` to 0.01 yuan, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value: object) -> Decimal:
    """Parse a money amount from JSON/TOML input.

    Accepts int, Decimal, float (via its shortest repr) or a numeric string.
    The result is non-negative, has at most two decimals and is quantized to
    0.01. Raises ``ValueError`` with a Chinese reason otherwise.
    """
    if isinstance(value, bool):
        raise ValueError("金额不能是布尔值")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("金额不是有限数值")
        # repr gives the shortest string that round-trips, e.g. 0.1 -> "0.1".
        value = repr(value)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"金额格式不正确：{value!r}") from None
    else:
        raise ValueError(f"金额格式不正确：{value!r}")
    if not amount.is_finite():
        raise ValueError("金额不是有限数值")
    if amount < 0:
        raise ValueError("金额不能为负数")
    if amount > MAX_AMOUNT:
        raise ValueError("金额超出上限（1亿元）")
    if amount != amount.quantize(CENT):
        raise ValueError("金额最多保留两位小数")
    return amount.quantize(CENT)


def to_cents(amount: Decimal) -> int:
    """Convert an amount that is a whole number of cents to an int."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError("金额不是整分")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    """Convert integer cents back to a Decimal amount with two places."""
    return (Decimal(int(cents)) / 100).quantize(CENT)


def fmt_yuan(amount: Decimal) -> str:
    """Format an amount for a person: thousands separators, two decimals."""
    return f"{amount:,.2f}"


def fmt_exact(amount: Decimal) -> str:
    """Format an unrounded amount: two decimals if exact, else every digit needed."""
    if amount == amount.quantize(CENT):
        return fmt_yuan(amount)
    return f"{amount.normalize():,f}"


def fmt_pct(ratio: Decimal) -> str:
    """Format a ratio as a percentage without useless zeros: 0.65 -> "65%"."""
    text = f"{ratio * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


def fmt_points(ratio: Decimal) -> str:
    """Format a ratio increase as percentage points: 0.05 -> "5 个百分点"."""
    return fmt_pct(ratio)[:-1] + " 个百分点"
