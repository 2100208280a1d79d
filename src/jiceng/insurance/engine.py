"""The scalar three-tier engine: basic insurance, critical-illness insurance,
medical assistance, and special aid for groups with their own policy.

Rules (see docs/medical-protection.md for the full text):

* A person's bills in a calendar year are processed in date order, ties by id.
* Tier 1 (basic) is computed per bill and rounded per bill; the annual cap is
  checked against what was already paid this year.
* Tiers 2 and 3 (and special aid) work on the year's *cumulative* base. The
  cumulative payment is rounded to the cent (half up) and a bill's payment is
  the increase of the rounded cumulative, so a year's bills add up exactly.
  A bill never receives more at a tier than is left of its own in-policy
  self-burden, and never less than zero (this only matters when the person's
  category changes during the year).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from .bills import Bill
from .categories import CATEGORY_NAMES
from .money import RATIO_QUANTUM, ZERO, fmt_exact, fmt_pct, fmt_points, fmt_yuan, round_cents
from .policy import Policy, SpecialRule


@dataclass
class YearState:
    """What one person has accumulated so far in one calendar year.

    ``calculate_bill`` updates it in place. ``burden`` is the year's in-policy
    self-burden left after basic insurance; the other ``*_paid`` fields are
    cumulative payments (whole cents).
    """

    person: str | None = None
    year: int | None = None
    last_key: tuple[dt.date, str] | None = None
    basic_paid: Decimal = ZERO
    basic_deductible_used: Decimal = ZERO
    burden: Decimal = ZERO
    critical_paid: Decimal = ZERO
    assistance_paid: Decimal = ZERO
    special_base: dict[str, Decimal] = field(default_factory=dict)
    special_paid: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class BillResult:
    """The outcome of one bill.

    ``reimbursed_ratio`` = (basic + critical + assistance + special_aid) / total,
    rounded half up to four places (0 when the total is 0). ``steps`` explain
    the calculation: dicts with a Chinese ``text`` and structured fields.
    """

    id: str
    person: str
    total: Decimal
    in_policy: Decimal
    basic: Decimal
    critical: Decimal
    assistance: Decimal
    special_aid: Decimal
    self_pay: Decimal
    reimbursed_ratio: Decimal
    steps: list[dict[str, Any]]

    @property
    def reimbursed(self) -> Decimal:
        """Everything paid by the three tiers and special aid."""
        return self.basic + self.critical + self.assistance + self.special_aid


# --------------------------------------------------------------------------
# Public functions


def calculate_year(policy: Policy, bills: Iterable[Bill], *, explain: bool = True) -> list[BillResult]:
    """Compute every bill, accumulating per person and calendar year.

    Bills are grouped by (person, year) and processed in (date, id) order;
    the results come back in input order. Raises ``ValueError`` if a bill
    does not fit the policy or an id is repeated. With ``explain=False`` the
    steps are left empty (faster, same amounts).
    """
    bill_list = list(bills)
    seen: set[str] = set()
    for bill in bill_list:
        if bill.id in seen:
            raise ValueError(f"账单编号重复：{bill.id}")
        seen.add(bill.id)
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, bill in enumerate(bill_list):
        groups[(bill.person, bill.date.year)].append(index)
    results: list[BillResult | None] = [None] * len(bill_list)
    for indexes in groups.values():
        indexes.sort(key=lambda i: (bill_list[i].date, bill_list[i].id))
        state = YearState()
        for i in indexes:
            results[i] = calculate_bill(policy, bill_list[i], state, explain=explain)
    return [r for r in results if r is not None]


def calculate_bill(
    policy: Policy, bill: Bill, state: YearState | None = None, *, explain: bool = True
) -> BillResult:
    """Compute one bill given what the person accumulated earlier this year.

    ``state`` (a :class:`YearState`) is updated in place; pass the same state
    for the person's next bill of the year. Without a state the bill is
    treated as the person's first of the year. Bills must come in (date, id)
    order for one state; otherwise ``ValueError`` is raised.
    """
    if state is None:
        state = YearState()
    _check_bill(policy, bill)
    if state.person is not None and (state.person != bill.person or state.year != bill.date.year):
        raise ValueError("累计状态属于另一参保人或另一年度")
    key = (bill.date, bill.id)
    if state.last_key is not None and key <= state.last_key:
        raise ValueError("同一参保人同一年度的账单须按日期（同日按编号）顺序计算")

    steps: list[dict[str, Any]] = []
    note = steps.append if explain else _discard

    # Special groups on this bill that the policy knows, in policy order.
    special = [policy.special[g] for g in policy.special if g in bill.groups]
    for group in bill.groups:
        if group not in policy.special:
            note({
                "tier": "special",
                "kind": "unknown_group",
                "group": group,
                "text": f"本政策没有“{group}”群体的特殊规定，按一般规定计算。",
            })

    basic, basic_state = _basic(policy, bill, state, special, note)
    burden = bill.in_policy - basic

    # Tier 2: critical-illness insurance on the year's cumulative self-burden.
    burden_total = state.burden + burden
    critical = _critical(policy, bill, state, burden, burden_total, note)
    left = burden - critical
    critical_total = state.critical_paid + critical

    # Tier 3: medical assistance on what is still left, cumulative over the year.
    assistance = _assistance(policy, bill, state, left, burden_total - critical_total, note)
    remaining = left - assistance

    special_aid = ZERO
    special_updates: dict[str, tuple[Decimal, Decimal]] = {}
    for rule in special:
        paid, base_total, paid_total = _special_aid(rule, state, remaining, note)
        special_updates[rule.group] = (base_total, paid_total)
        special_aid += paid
        remaining -= paid

    reimbursed = basic + critical + assistance + special_aid
    self_pay = bill.total - reimbursed
    ratio = _ratio(reimbursed, bill.total)
    note(_summary(bill, basic, critical, assistance, special_aid, self_pay, ratio))

    # Commit the state only now, so a failure above leaves it untouched.
    state.person = bill.person
    state.year = bill.date.year
    state.last_key = key
    state.basic_paid, state.basic_deductible_used = basic_state
    state.burden = burden_total
    state.critical_paid = critical_total
    state.assistance_paid += assistance
    for group, (base_total, paid_total) in special_updates.items():
        state.special_base[group] = base_total
        state.special_paid[group] = paid_total

    return BillResult(
        id=bill.id,
        person=bill.person,
        total=bill.total,
        in_policy=bill.in_policy,
        basic=basic,
        critical=critical,
        assistance=assistance,
        special_aid=special_aid,
        self_pay=self_pay,
        reimbursed_ratio=ratio,
        steps=steps,
    )


def result_to_json(result: BillResult) -> dict[str, Any]:
    """A JSON-ready dict: amounts as strings with two decimals, ratio with four.

    Keys: id, basic, critical, assistance, self_pay, reimbursed_ratio, steps,
    plus special_aid when it is not zero.
    """
    out: dict[str, Any] = {
        "id": result.id,
        "basic": f"{result.basic:.2f}",
        "critical": f"{result.critical:.2f}",
        "assistance": f"{result.assistance:.2f}",
        "self_pay": f"{result.self_pay:.2f}",
        "reimbursed_ratio": f"{result.reimbursed_ratio:.4f}",
        "steps": [_jsonable(step) for step in result.steps],
    }
    if result.special_aid != 0:
        out["special_aid"] = f"{result.special_aid:.2f}"
    return out


# --------------------------------------------------------------------------
# Tiers


def _basic(
    policy: Policy, bill: Bill, state: YearState, special: Sequence[SpecialRule], note: Any
) -> tuple[Decimal, tuple[Decimal, Decimal]]:
    """Tier 1. Returns the payment and the new (basic_paid, deductible_used)."""
    rule = policy.basic
    level = rule.levels[bill.hospital_level]
    bonus_rule = max(special, key=lambda r: r.basic_ratio_bonus, default=None)
    bonus = bonus_rule.basic_ratio_bonus if bonus_rule is not None else Decimal(0)
    ratio = level.ratio + bonus
    if bonus_rule is not None and bonus > 0:
        note({
            "tier": "special",
            "kind": "basic_ratio_bonus",
            "group": bonus_rule.group,
            "ratio_bonus": bonus,
            "ratio": ratio,
            "source": bonus_rule.source,
            "text": (
                f"特殊群体（{bonus_rule.name}）：基本医保报销比例提高 {fmt_points(bonus)}，"
                f"{level.name}由 {fmt_pct(level.ratio)} 提高到 {fmt_pct(ratio)}。"
            ),
        })

    used = state.basic_deductible_used
    if rule.deductible_per == "admission":
        deductible = min(bill.in_policy, level.deductible)
        ded_text = f"起付线 {fmt_yuan(level.deductible)} 元（按次计算）"
    else:
        still = max(ZERO, level.deductible - used)
        deductible = min(bill.in_policy, still)
        ded_text = (
            f"起付线 {fmt_yuan(level.deductible)} 元（按年度计算，本年已扣 {fmt_yuan(used)} 元，"
            f"尚余 {fmt_yuan(still)} 元）"
        )
        used = used + deductible
    base = bill.in_policy - deductible
    computed = round_cents(base * ratio)
    cap = rule.annual_cap
    if cap is None:
        paid = computed
        cap_text = "不设年度封顶线"
    else:
        room = cap - state.basic_paid
        paid = min(computed, room)
        cap_text = (
            f"年度封顶线 {fmt_yuan(cap)} 元，本年此前已付 {fmt_yuan(state.basic_paid)} 元，"
            f"尚可支付 {fmt_yuan(room)} 元"
        )
    reached = paid < computed
    note({
        "tier": "basic",
        "kind": "basic",
        "hospital_level": bill.hospital_level,
        "level_name": level.name,
        "in_policy": bill.in_policy,
        "deductible_standard": level.deductible,
        "deductible_per": rule.deductible_per,
        "deductible": deductible,
        "base": base,
        "ratio": ratio,
        "computed": computed,
        "cap": cap,
        "paid_before": state.basic_paid,
        "cap_reached": reached,
        "amount": paid,
        "source": rule.source,
        "text": (
            f"基本医保：{level.name}{ded_text}，本次扣除 {fmt_yuan(deductible)} 元；"
            f"（政策范围内费用 {fmt_yuan(bill.in_policy)} − {fmt_yuan(deductible)}）× {fmt_pct(ratio)}"
            f" = {fmt_yuan(computed)} 元；{cap_text}"
            + ("，已达封顶线" if reached else "")
            + f"；本次支付 {fmt_yuan(paid)} 元。"
        ),
    })
    return paid, (state.basic_paid + paid, used)


def critical_cumulative(policy: Policy, category: str, burden_total: Decimal) -> tuple[Decimal, list[dict[str, Any]]]:
    """Cumulative critical-illness payment due for a year's self-burden.

    Returns the amount rounded to the cent and capped, and one dict per
    segment reached (for the explanation).
    """
    terms = policy.critical_terms(category)
    excess = max(ZERO, burden_total - terms.deductible)
    parts: list[dict[str, Any]] = []
    exact = Decimal(0)
    for segment, ratio in zip(policy.critical.segments, terms.ratios, strict=True):
        if excess <= segment.lower:
            break
        top = excess if segment.upper is None else min(excess, segment.upper)
        amount = top - segment.lower
        pay = amount * ratio
        exact += pay
        parts.append({
            "segment": segment.index + 1,
            "lower": segment.lower,
            "upper": segment.upper,
            "ratio": ratio,
            "amount": amount,
            "pay": pay,
        })
    due = round_cents(exact)
    if terms.annual_cap is not None:
        due = min(due, terms.annual_cap)
    return due, parts


def _critical(
    policy: Policy, bill: Bill, state: YearState, burden: Decimal, burden_total: Decimal, note: Any
) -> Decimal:
    terms = policy.critical_terms(bill.category)
    rule = policy.critical
    due, parts = critical_cumulative(policy, bill.category, burden_total)
    exact = sum((p["pay"] for p in parts), Decimal(0))
    excess = max(ZERO, burden_total - terms.deductible)

    tilt_text = ""
    if terms.tilted and rule.tilt is not None:
        tilt_text = (
            f"（{CATEGORY_NAMES[bill.category]}倾斜支付：起付线 {fmt_yuan(rule.deductible)} × "
            f"{fmt_pct(rule.tilt.deductible_factor)}，各段比例提高 {fmt_points(rule.tilt.ratio_bonus)}"
            + ("，不设封顶线" if terms.annual_cap is None else "")
            + "）"
        )
    note({
        "tier": "critical",
        "kind": "deductible",
        "category": bill.category,
        "burden": burden,
        "burden_total": burden_total,
        "deductible": terms.deductible,
        "tilted": terms.tilted,
        "excess": excess,
        "source": rule.tilt.source if terms.tilted and rule.tilt else rule.source,
        "text": (
            f"大病保险：本次基本医保后政策范围内个人负担 {fmt_yuan(burden)} 元，本年累计 {fmt_yuan(burden_total)} 元；"
            f"起付线 {fmt_yuan(terms.deductible)} 元{tilt_text}；"
            + (
                f"超过起付线 {fmt_yuan(excess)} 元，按分段累进计算。"
                if excess > 0
                else "本年累计未超过起付线，大病保险暂不支付。"
            )
        ),
    })
    for p in parts:
        upper = "以上" if p["upper"] is None else f"至 {fmt_yuan(p['upper'])} 元"
        note({
            "tier": "critical",
            "kind": "segment",
            **p,
            "text": (
                f"大病保险第 {p['segment']} 段（超过起付线部分 {fmt_yuan(p['lower'])} 元{upper}）："
                f"{fmt_yuan(p['amount'])} 元 × {fmt_pct(p['ratio'])} = {fmt_exact(p['pay'])} 元。"
            ),
        })
    cap = terms.annual_cap
    rounded = round_cents(exact)
    raw_increase = due - state.critical_paid
    paid = min(burden, max(ZERO, raw_increase))
    if excess > 0 or state.critical_paid > 0:
        if cap is not None and due < rounded:
            cap_text = f"，已达封顶线（{fmt_yuan(cap)} 元），按 {fmt_yuan(due)} 元计"
        else:
            cap_text = "，不设封顶线" if cap is None else f"，未超过年度封顶线 {fmt_yuan(cap)} 元"
        note({
            "tier": "critical",
            "kind": "total",
            "exact": exact,
            "rounded": rounded,
            "cap": cap,
            "cumulative_due": due,
            "paid_before": state.critical_paid,
            "amount": paid,
            "text": (
                f"大病保险本年累计应付 {fmt_yuan(rounded)} 元（四舍五入到分）{cap_text}；"
                f"本年此前已付 {fmt_yuan(state.critical_paid)} 元，本次支付 {fmt_yuan(paid)} 元"
                + _clamp_text(raw_increase, burden)
                + "。"
            ),
        })
    return paid


def _assistance(
    policy: Policy, bill: Bill, state: YearState, left: Decimal, left_total: Decimal, note: Any
) -> Decimal:
    rule = policy.assistance.get(bill.category)
    name = CATEGORY_NAMES[bill.category]
    if rule is None:
        note({
            "tier": "assistance",
            "kind": "not_eligible",
            "category": bill.category,
            "amount": ZERO,
            "text": f"医疗救助：{name}不属于本政策的医疗救助对象，不予救助。",
        })
        return ZERO
    excess = max(ZERO, left_total - rule.deductible)
    exact = excess * rule.ratio
    rounded = round_cents(exact)
    due = rounded if rule.annual_cap is None else min(rounded, rule.annual_cap)
    raw_increase = due - state.assistance_paid
    paid = min(left, max(ZERO, raw_increase))
    cap_text = "不设年度救助限额" if rule.annual_cap is None else f"年度救助限额 {fmt_yuan(rule.annual_cap)} 元"
    if due < rounded:
        cap_text += "，已达限额"
    note({
        "tier": "assistance",
        "kind": "assistance",
        "category": bill.category,
        "left": left,
        "left_total": left_total,
        "deductible": rule.deductible,
        "ratio": rule.ratio,
        "excess": excess,
        "rounded": rounded,
        "cap": rule.annual_cap,
        "cumulative_due": due,
        "paid_before": state.assistance_paid,
        "amount": paid,
        "source": rule.source,
        "text": (
            f"医疗救助（{name}）：大病保险后本次政策范围内个人负担 {fmt_yuan(left)} 元，"
            f"本年累计 {fmt_yuan(left_total)} 元；"
            f"救助起付线 {fmt_yuan(rule.deductible)} 元，"
            f"（{fmt_yuan(left_total)} − {fmt_yuan(rule.deductible)}）× {fmt_pct(rule.ratio)}"
            f" = {fmt_yuan(rounded)} 元（累计，四舍五入到分）；{cap_text}；"
            f"本年此前已救助 {fmt_yuan(state.assistance_paid)} 元，本次救助 {fmt_yuan(paid)} 元"
            + _clamp_text(raw_increase, left)
            + "。"
        ),
    })
    return paid


def _special_aid(
    rule: SpecialRule, state: YearState, remaining: Decimal, note: Any
) -> tuple[Decimal, Decimal, Decimal]:
    """Special fiscal aid on what is left after the three tiers (cumulative)."""
    before_base = state.special_base.get(rule.group, ZERO)
    before_paid = state.special_paid.get(rule.group, ZERO)
    base_total = before_base + remaining
    excess = max(ZERO, base_total - rule.aid_deductible)
    rounded = round_cents(excess * rule.aid_ratio)
    cap = rule.aid_annual_cap
    due = rounded if cap is None else min(rounded, cap)
    raw_increase = due - before_paid
    paid = min(remaining, max(ZERO, raw_increase))
    cap_text = "不设年度限额" if cap is None else f"年度限额 {fmt_yuan(cap)} 元"
    note({
        "tier": "special",
        "kind": "aid",
        "group": rule.group,
        "left": remaining,
        "left_total": base_total,
        "deductible": rule.aid_deductible,
        "ratio": rule.aid_ratio,
        "rounded": rounded,
        "cap": cap,
        "cumulative_due": due,
        "paid_before": before_paid,
        "amount": paid,
        "source": rule.source,
        "text": (
            f"特殊群体专项救助（{rule.name}）：三重保障后本次政策范围内个人负担 {fmt_yuan(remaining)} 元，"
            f"本年累计 {fmt_yuan(base_total)} 元；（{fmt_yuan(base_total)} − 起付 {fmt_yuan(rule.aid_deductible)}）"
            f"× {fmt_pct(rule.aid_ratio)} = {fmt_yuan(rounded)} 元（累计）；{cap_text}；"
            f"此前已付 {fmt_yuan(before_paid)} 元，本次支付 {fmt_yuan(paid)} 元"
            + _clamp_text(raw_increase, remaining)
            + "。"
        ),
    })
    return paid, base_total, before_paid + paid


def _summary(
    bill: Bill,
    basic: Decimal,
    critical: Decimal,
    assistance: Decimal,
    special_aid: Decimal,
    self_pay: Decimal,
    ratio: Decimal,
) -> dict[str, Any]:
    reimbursed = basic + critical + assistance + special_aid
    parts = f"基本医保 {fmt_yuan(basic)} 元、大病保险 {fmt_yuan(critical)} 元、医疗救助 {fmt_yuan(assistance)} 元"
    if special_aid:
        parts += f"、特殊群体专项救助 {fmt_yuan(special_aid)} 元"
    return {
        "tier": "summary",
        "kind": "summary",
        "total": bill.total,
        "in_policy": bill.in_policy,
        "out_of_policy": bill.out_of_policy,
        "basic": basic,
        "critical": critical,
        "assistance": assistance,
        "special_aid": special_aid,
        "reimbursed": reimbursed,
        "self_pay": self_pay,
        "reimbursed_ratio": ratio,
        "text": (
            f"合计：总费用 {fmt_yuan(bill.total)} 元，"
            f"其中政策范围外费用 {fmt_yuan(bill.out_of_policy)} 元全部由个人负担；"
            f"{parts}，共报销 {fmt_yuan(reimbursed)} 元；个人自付 {fmt_yuan(self_pay)} 元；"
            f"报销比例 {fmt_pct(ratio)}。"
        ),
    }


# --------------------------------------------------------------------------
# Helpers


def _check_bill(policy: Policy, bill: Bill) -> None:
    if not policy.covers(bill.date):
        raise ValueError(
            f"账单 {bill.id} 的日期 {bill.date.isoformat()} 不在政策有效期内"
            f"（{policy.effective_from.isoformat()} 至 {policy.effective_to.isoformat()}）"
        )
    if bill.hospital_level not in policy.basic.levels:
        raise ValueError(f"账单 {bill.id}：未知的医院等级 {bill.hospital_level}")


def _ratio(reimbursed: Decimal, total: Decimal) -> Decimal:
    """reimbursed / total, half up to four places; 0 for a zero total."""
    if total == 0:
        return Decimal("0.0000")
    with localcontext() as ctx:
        ctx.prec = 50  # far more digits than needed, so only the final rounding counts
        return (reimbursed / total).quantize(RATIO_QUANTUM, rounding=ROUND_HALF_UP)


def _clamp_text(raw_increase: Decimal, limit: Decimal) -> str:
    # Only reachable when the category changes during the year.
    if raw_increase < 0:
        return "（按本次类别计算的累计应付额低于已付额，本次不再支付）"
    if raw_increase > limit:
        return f"（按累计计算应付 {fmt_yuan(raw_increase)} 元，但不超过本次尚余的个人负担）"
    return ""


def _discard(_: Any) -> None:
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
