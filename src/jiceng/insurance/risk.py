"""Risk of falling (back) into poverty because of medical costs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .money import parse_amount


def crosses_risk_threshold(
    yearly_self_pay: Any,
    threshold_abs: Any = None,
    household_income: Any = None,
    share: Any = None,
) -> bool:
    """True when a year's medical self-pay is *above* a risk threshold.

    Either or both tests may be given: an absolute threshold ``threshold_abs``
    (e.g. the county's 防返贫监测 line for medical costs), and/or a share of
    the household income (``household_income`` × ``share``, e.g. 0.5). The
    result is True when any given test is crossed. "Crossed" means strictly
    greater (the documents say 超过). Raises ``ValueError`` when no test is
    given, when only one of household_income/share is given, or on negative
    or malformed numbers.
    """
    self_pay = _amount(yearly_self_pay, "yearly_self_pay")
    if (household_income is None) != (share is None):
        raise ValueError("按家庭收入比例判断时，household_income 和 share 必须同时提供")
    if threshold_abs is None and household_income is None:
        raise ValueError("至少需要提供一个判断标准：threshold_abs 或 household_income 与 share")
    crossed = False
    if threshold_abs is not None:
        crossed = crossed or self_pay > _amount(threshold_abs, "threshold_abs")
    if household_income is not None:
        income = _amount(household_income, "household_income")
        ratio = _share(share)
        crossed = crossed or self_pay > income * ratio
    return crossed


def _amount(value: Any, name: str) -> Decimal:
    try:
        return parse_amount(value)
    except ValueError as exc:
        raise ValueError(f"{name}：{exc}") from None


def _share(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("share：比例格式不正确")
    try:
        ratio = Decimal(repr(value) if isinstance(value, float) else str(value))
    except Exception:
        raise ValueError("share：比例格式不正确") from None
    if not ratio.is_finite() or ratio < 0:
        raise ValueError("share：比例必须是非负数")
    return ratio
