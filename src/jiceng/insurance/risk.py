"""Risk of falling (back) into poverty because of medical costs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .money import ZERO, parse_amount

if TYPE_CHECKING:  # pragma: no cover
    from .bills import Bill
    from .engine import BillResult

#: Names of the two tests, as reported in :attr:`RiskFinding.crossed`.
ABSOLUTE = "absolute"
INCOME_SHARE = "income_share"


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
    return bool(risk_tests_crossed(yearly_self_pay, threshold_abs, household_income, share))


def risk_tests_crossed(
    yearly_self_pay: Any,
    threshold_abs: Any = None,
    household_income: Any = None,
    share: Any = None,
) -> tuple[str, ...]:
    """The tests (``"absolute"``, ``"income_share"``) that ``yearly_self_pay`` is above.

    Same arguments and errors as :func:`crosses_risk_threshold`, which is
    ``bool()`` of this.
    """
    self_pay = _amount(yearly_self_pay, "yearly_self_pay")
    if (household_income is None) != (share is None):
        raise ValueError("按家庭收入比例判断时，household_income 和 share 必须同时提供")
    if threshold_abs is None and household_income is None:
        raise ValueError("至少需要提供一个判断标准：threshold_abs 或 household_income 与 share")
    crossed: list[str] = []
    if threshold_abs is not None and self_pay > _amount(threshold_abs, "threshold_abs"):
        crossed.append(ABSOLUTE)
    if household_income is not None:
        income = _amount(household_income, "household_income")
        if self_pay > income * _share(share):
            crossed.append(INCOME_SHARE)
    return tuple(crossed)


@dataclass(frozen=True)
class RiskFinding:
    """One person's year whose medical self-pay is above a risk threshold.

    ``area``, ``name``, ``id_number`` and ``household_income`` come from the
    person's latest bill of the year that carries them (None if none does).
    """

    person: str
    year: int
    self_pay: Decimal
    bills: int
    crossed: tuple[str, ...]
    threshold: Decimal | None
    income_share: Decimal | None
    area: str | None = None
    name: str | None = None
    id_number: str | None = None
    household_income: Decimal | None = None
    policy_name: str | None = None


def find_risks(
    bills: Sequence[Bill],
    results: Sequence[BillResult],
    *,
    threshold: Any = None,
    income_share: Any = None,
    skip_people: Iterable[str] = (),
) -> list[RiskFinding]:
    """Person-years whose summed self-pay crosses ``threshold`` or ``income_share``.

    ``results[i]`` must be the result of ``bills[i]`` (as from
    :func:`~.engine.calculate_year`). The income test applies only to people
    whose bills carry ``household_income``. People in ``skip_people`` (e.g.
    with a rejected bill, so their year is incomplete) are left out. Sorted by
    (year, person). Raises ``ValueError`` when neither test is given.
    """
    if threshold is None and income_share is None:
        raise ValueError("至少需要提供一个判断标准：年度自付绝对标准或占家庭收入的比例")
    if len(bills) != len(results):
        raise ValueError("账单与计算结果的数量不一致")
    skip = set(skip_people)
    years: dict[tuple[str, int], dict[str, Any]] = {}
    order = sorted(range(len(bills)), key=lambda i: (bills[i].date, bills[i].id))
    for i in order:
        bill, result = bills[i], results[i]
        if result.id != bill.id:
            raise ValueError("账单与计算结果的顺序不一致")
        if bill.person in skip:
            continue
        entry = years.setdefault((bill.person, bill.date.year), {"self_pay": ZERO, "bills": 0})
        entry["self_pay"] += result.self_pay
        entry["bills"] += 1
        # Later bills overwrite: the latest known value of each optional field wins.
        for name in ("area", "name", "id_number", "household_income"):
            if getattr(bill, name) is not None:
                entry[name] = getattr(bill, name)
    findings: list[RiskFinding] = []
    for (person, year), entry in sorted(years.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        income = entry.get("household_income")
        use_income = income is not None and income_share is not None
        if threshold is None and not use_income:
            continue
        crossed = risk_tests_crossed(
            entry["self_pay"],
            threshold_abs=threshold,
            household_income=income if use_income else None,
            share=income_share if use_income else None,
        )
        if crossed:
            findings.append(RiskFinding(
                person=person,
                year=year,
                self_pay=entry["self_pay"],
                bills=entry["bills"],
                crossed=crossed,
                threshold=None if threshold is None else _amount(threshold, "threshold_abs"),
                income_share=None if income_share is None else _share(income_share),
                area=entry.get("area"),
                name=entry.get("name"),
                id_number=entry.get("id_number"),
                household_income=income,
            ))
    return findings


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
