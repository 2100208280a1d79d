"""Vectorised year-batch mode for a whole county's bills (numpy, int64 cents).

Gives exactly the same amounts as the scalar engine (:mod:`.engine`); use the
scalar engine when a particular bill must be explained step by step.

How it stays exact: every amount is an integer number of cents and every
ratio an integer number of 1/10000 (the policy loader refuses ratios with more
than four places), so ``round_half_up(cents × ratio)`` is
``(cents × ratio_bp + 5000) // 10000`` — the same value the Decimal engine gets.

How it is vectorised: the rules are sequential within one person's year (caps,
a per-year deductible, the clamps when a category changes), so bills are
processed in *waves*: wave k handles the k-th bill (in date, id order) of
every person-year at once. Person-years are sorted by bill count, largest
first, so the person-years still active in wave k are a prefix of the state
arrays. The number of numpy passes is the largest number of bills one person
has in a year, not the number of bills.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from .bills import Bill
from .categories import CATEGORIES
from .money import MAX_AMOUNT, from_cents, to_cents
from .policy import HOSPITAL_LEVELS, Policy

#: Stand-in for "no cap": larger than any sum of cents we accept.
NO_CAP = np.int64(2**62)
_HALF = 5000
_SCALE = 10000


@dataclass(frozen=True)
class BatchResult:
    """Results in input order. Amounts are int64 cents; ``reimbursed_ratio``
    is int64 in units of 0.0001 (so 8683 means 0.8683)."""

    basic: np.ndarray
    critical: np.ndarray
    assistance: np.ndarray
    special_aid: np.ndarray
    self_pay: np.ndarray
    total: np.ndarray
    reimbursed_ratio: np.ndarray

    def __len__(self) -> int:
        return int(self.total.shape[0])

    @property
    def reimbursed(self) -> np.ndarray:
        """basic + critical + assistance + special_aid, in cents."""
        summed: np.ndarray = self.basic + self.critical + self.assistance + self.special_aid
        return summed

    def row(self, i: int) -> dict[str, Decimal]:
        """One bill's amounts as Decimals (yuan), ratio with four places."""
        return {
            "basic": from_cents(self.basic[i]),
            "critical": from_cents(self.critical[i]),
            "assistance": from_cents(self.assistance[i]),
            "special_aid": from_cents(self.special_aid[i]),
            "self_pay": from_cents(self.self_pay[i]),
            "reimbursed_ratio": (Decimal(int(self.reimbursed_ratio[i])) / _SCALE).quantize(Decimal("0.0001")),
        }

    def totals(self) -> dict[str, Decimal]:
        """Sums over all bills, in yuan."""
        return {
            name: from_cents(int(getattr(self, name).sum()))
            for name in ("total", "basic", "critical", "assistance", "special_aid", "self_pay")
        }


def bills_to_arrays(policy: Policy, bills: Sequence[Bill]) -> dict[str, np.ndarray]:
    """Column arrays for :func:`calculate_arrays` from :class:`Bill` objects.

    Groups the policy does not know are ignored (as the scalar engine does).
    """
    groups = list(policy.special)
    bit = {g: 1 << j for j, g in enumerate(groups)}
    return {
        "bill_id": np.array([b.id for b in bills], dtype=str),
        "person": np.array([b.person for b in bills], dtype=str),
        "date": np.array([b.date for b in bills], dtype="datetime64[D]"),
        "category": np.array([CATEGORIES.index(b.category) for b in bills], dtype=np.int64),
        "hospital_level": np.array([HOSPITAL_LEVELS.index(b.hospital_level) + 1 for b in bills], dtype=np.int64),
        "total_cents": np.array([to_cents(b.total) for b in bills], dtype=np.int64),
        "in_policy_cents": np.array([to_cents(b.in_policy) for b in bills], dtype=np.int64),
        "group_mask": np.array([sum(bit.get(g, 0) for g in b.groups) for b in bills], dtype=np.int64),
    }


def calculate_batch(policy: Policy, bills: Sequence[Bill]) -> BatchResult:
    """Vectorised :func:`~.engine.calculate_year` for a list of bills."""
    return calculate_arrays(policy, **bills_to_arrays(policy, bills))


def calculate_arrays(
    policy: Policy,
    *,
    bill_id: Any,
    person: Any,
    date: Any,
    category: Any,
    hospital_level: Any,
    total_cents: Any,
    in_policy_cents: Any,
    group_mask: Any = None,
) -> BatchResult:
    """Compute a batch of bills given as columns (one entry per bill).

    ``bill_id`` and ``person``: strings (ids must be unique; ties on a date
    are broken by id as text). ``date``: anything numpy turns into
    ``datetime64[D]``. ``category``: codes ("dibao") or indexes into
    :data:`~.categories.CATEGORIES`. ``hospital_level``: "1"-"3" or 1-3.
    Amounts are integer cents. ``group_mask``: bit j set when the bill carries
    the j-th group of ``policy.special``. Raises ``ValueError`` on bad input.
    """
    ids = np.asarray(bill_id).astype(str)
    n = ids.shape[0]
    people = np.asarray(person).astype(str)
    days_d = np.asarray(date, dtype="datetime64[D]")
    cat = _codes(category, CATEGORIES, "人员类别")
    lvl = _levels(hospital_level)
    total = np.asarray(total_cents, dtype=np.int64)
    inp = np.asarray(in_policy_cents, dtype=np.int64)
    mask = np.zeros(n, np.int64) if group_mask is None else np.asarray(group_mask, dtype=np.int64)
    for name, arr in (("person", people), ("date", days_d), ("category", cat), ("hospital_level", lvl),
                      ("total_cents", total), ("in_policy_cents", inp), ("group_mask", mask)):
        if arr.shape != (n,):
            raise ValueError(f"{name} 的长度与 bill_id 不一致")
    _check_amounts(total, inp)
    _check_dates(policy, days_d)
    if n == 0:
        empty = np.zeros(0, np.int64)
        return BatchResult(empty, empty, empty, empty, empty, empty, empty)
    if len(np.unique(ids)) != n:
        raise ValueError("账单编号重复")

    p = _Params(policy)
    if int(inp.sum()) >= int(NO_CAP) // _SCALE:
        raise ValueError("金额总和过大，超出整数计算范围")

    # Order: person, then date, then id (as text) -- the same as the scalar engine.
    _, pcode = np.unique(people, return_inverse=True)
    _, idrank = np.unique(ids, return_inverse=True)
    days = days_d.astype(np.int64)
    years = days_d.astype("datetime64[Y]").astype(np.int64)
    order = np.lexsort((idrank, days, pcode))
    sp, sy = pcode[order], years[order]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (sp[1:] != sp[:-1]) | (sy[1:] != sy[:-1])
    starts = np.flatnonzero(new_group)
    counts = np.diff(np.append(starts, n))
    # Largest person-years first, so the ones active in wave k form a prefix.
    gorder = np.argsort(-counts, kind="stable")
    starts, counts = starts[gorder], counts[gorder]
    groups = starts.shape[0]
    active = np.searchsorted(-counts, -np.arange(int(counts[0])), side="left")

    # Per person-year state (cumulative, cents).
    basic_paid = np.zeros(groups, np.int64)
    ded_used = np.zeros(groups, np.int64)
    burden_cum = np.zeros(groups, np.int64)
    crit_paid = np.zeros(groups, np.int64)
    assist_paid = np.zeros(groups, np.int64)
    nspec = len(p.spec_bonus)
    spec_base = np.zeros((nspec, groups), np.int64)
    spec_paid = np.zeros((nspec, groups), np.int64)

    out_basic = np.zeros(n, np.int64)
    out_crit = np.zeros(n, np.int64)
    out_assist = np.zeros(n, np.int64)
    out_spec = np.zeros(n, np.int64)

    for k, m in enumerate(active):
        idx = order[starts[:m] + k]
        c = cat[idx]
        lv = lvl[idx]
        x = inp[idx]
        gm = mask[idx]

        # Tier 1: basic insurance, per bill; the largest group bonus applies.
        bonus = np.zeros(m, np.int64)
        for j in range(nspec):
            has = (gm >> j) & 1 == 1
            bonus = np.where(has, np.maximum(bonus, p.spec_bonus[j]), bonus)
        ratio = p.level_ratio[lv] + bonus
        if p.per_year:
            ded = np.minimum(x, np.maximum(0, p.level_ded[lv] - ded_used[:m]))
            ded_used[:m] += ded
        else:
            ded = np.minimum(x, p.level_ded[lv])
        computed = _round((x - ded) * ratio)
        basic = np.minimum(computed, p.basic_cap - basic_paid[:m])
        basic_paid[:m] += basic
        burden = x - basic

        # Tier 2: critical illness on the cumulative self-burden.
        burden_cum[:m] += burden
        excess = np.maximum(0, burden_cum[:m] - p.crit_ded[c])
        acc = np.zeros(m, np.int64)
        for s in range(p.seg_lower.shape[0]):
            part = np.clip(excess - p.seg_lower[s], 0, p.seg_width[s])
            acc += part * p.crit_ratio[c, s]
        due = np.minimum(_round(acc), p.crit_cap[c])
        crit = np.minimum(burden, np.maximum(0, due - crit_paid[:m]))
        crit_paid[:m] += crit
        left = burden - crit

        # Tier 3: medical assistance on what is left, cumulative.
        left_cum = burden_cum[:m] - crit_paid[:m]
        due = np.minimum(_round(np.maximum(0, left_cum - p.assist_ded[c]) * p.assist_ratio[c]), p.assist_cap[c])
        assist = np.minimum(left, np.maximum(0, due - assist_paid[:m]))
        assist_paid[:m] += assist
        remaining = left - assist

        # Special aid per group, in policy order, on what is still left.
        spec = np.zeros(m, np.int64)
        for j in range(nspec):
            has = (gm >> j) & 1 == 1
            base = spec_base[j, :m] + np.where(has, remaining, 0)
            spec_base[j, :m] = base
            due = np.minimum(_round(np.maximum(0, base - p.aid_ded[j]) * p.aid_ratio[j]), p.aid_cap[j])
            pay = np.where(has, np.minimum(remaining, np.maximum(0, due - spec_paid[j, :m])), 0)
            spec_paid[j, :m] += pay
            remaining = remaining - pay
            spec += pay

        out_basic[idx] = basic
        out_crit[idx] = crit
        out_assist[idx] = assist
        out_spec[idx] = spec

    reimbursed = out_basic + out_crit + out_assist + out_spec
    self_pay = total - reimbursed
    # Half up to four places: floor((2·r·10000 + t) / (2·t)).
    safe_total = np.where(total > 0, total, 1)
    ratio_bp = np.where(total > 0, (2 * reimbursed * _SCALE + total) // (2 * safe_total), 0)
    return BatchResult(out_basic, out_crit, out_assist, out_spec, self_pay, total, ratio_bp.astype(np.int64))


# --------------------------------------------------------------------------


class _Params:
    """The policy as small int64 lookup tables (cents and 1/10000)."""

    def __init__(self, policy: Policy) -> None:
        levels = [policy.basic.levels[lv] for lv in HOSPITAL_LEVELS]
        self.level_ded = np.array([to_cents(r.deductible) for r in levels], np.int64)
        self.level_ratio = np.array([_bp(r.ratio) for r in levels], np.int64)
        self.basic_cap = _cap(policy.basic.annual_cap)
        self.per_year = policy.basic.deductible_per == "year"

        segments = policy.critical.segments
        self.seg_lower = np.array([to_cents(s.lower) for s in segments], np.int64)
        self.seg_width = np.array(
            [int(NO_CAP) if s.upper is None else to_cents(s.upper - s.lower) for s in segments], np.int64
        )
        terms = [policy.critical_terms(c) for c in CATEGORIES]
        self.crit_ded = np.array([to_cents(t.deductible) for t in terms], np.int64)
        self.crit_ratio = np.array([[_bp(r) for r in t.ratios] for t in terms], np.int64)
        self.crit_cap = np.array([_cap(t.annual_cap) for t in terms], np.int64)

        # Categories without assistance: ratio 0 and cap 0, so nothing is paid.
        rules = [policy.assistance.get(c) for c in CATEGORIES]
        self.assist_ded = np.array([0 if r is None else to_cents(r.deductible) for r in rules], np.int64)
        self.assist_ratio = np.array([0 if r is None else _bp(r.ratio) for r in rules], np.int64)
        self.assist_cap = np.array([0 if r is None else _cap(r.annual_cap) for r in rules], np.int64)

        special = list(policy.special.values())
        if len(special) > 62:
            raise ValueError("特殊群体过多（最多 62 个）")
        self.spec_bonus = np.array([_bp(s.basic_ratio_bonus) for s in special], np.int64)
        self.aid_ded = np.array([to_cents(s.aid_deductible) for s in special], np.int64)
        self.aid_ratio = np.array([_bp(s.aid_ratio) for s in special], np.int64)
        self.aid_cap = np.array([_cap(s.aid_annual_cap) for s in special], np.int64)


def _round(x: np.ndarray) -> np.ndarray:
    """Half-up rounding of a non-negative value in units of 1/10000 cent-ratio."""
    return (x + _HALF) // _SCALE


def _bp(ratio: Decimal) -> int:
    value = ratio * _SCALE
    if value != value.to_integral_value():
        raise ValueError("比例最多四位小数")
    return int(value)


def _cap(cap: Decimal | None) -> int:
    return int(NO_CAP) if cap is None else to_cents(cap)


def _codes(values: Any, names: Sequence[str], label: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        codes = arr.astype(np.int64)
    else:
        uniq, inverse = np.unique(arr.astype(str), return_inverse=True)
        lookup = []
        for name in uniq:
            if name not in names:
                raise ValueError(f"未知的{label}：{name}")
            lookup.append(names.index(name))
        codes = np.asarray(lookup, np.int64)[inverse] if len(uniq) else np.zeros(0, np.int64)
    if codes.size and (codes.min() < 0 or codes.max() >= len(names)):
        raise ValueError(f"未知的{label}代码")
    return codes.reshape(-1)


def _levels(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        codes = arr.astype(np.int64) - 1
        if codes.size and (codes.min() < 0 or codes.max() >= len(HOSPITAL_LEVELS)):
            raise ValueError("未知的医院等级")
        return codes.reshape(-1)
    return _codes(arr, HOSPITAL_LEVELS, "医院等级")


def _check_amounts(total: np.ndarray, inp: np.ndarray) -> None:
    limit = to_cents(MAX_AMOUNT)
    problems = (
        (inp < 0, "金额不能为负数"),
        (total > limit, "金额超出上限"),
        (inp > total, "政策范围内费用大于总费用"),
    )
    for bad, reason in problems:
        where = np.flatnonzero(bad)
        if where.size:
            raise ValueError(f"{reason}：共 {where.size} 张账单，第一张位于第 {int(where[0])} 行")


def _check_dates(policy: Policy, days: np.ndarray) -> None:
    start = np.datetime64(policy.effective_from, "D")
    end = np.datetime64(policy.effective_to, "D")
    bad = np.flatnonzero((days < start) | (days > end) | np.isnat(days))
    if bad.size:
        raise ValueError(
            f"日期不在政策有效期内（{policy.effective_from.isoformat()} 至 {policy.effective_to.isoformat()}）："
            f"共 {bad.size} 张账单，第一张位于第 {int(bad[0])} 行"
        )
