"""Shared test helpers: a small policy with round numbers for hand-worked
examples, and a short way to build bills.

The simple policy (all numbers chosen for easy arithmetic, not real):

* basic: level 1 deductible 100 at 90%, level 2 500 at 80%, level 3 1000 at 50%;
  annual cap 100,000; deductible per admission.
* critical: income 20,000 × 50% = deductible 10,000; segments on the amount
  above the deductible: 0–10,000 at 50%, 10,000–20,000 at 60%, above at 70%;
  annual cap 50,000. Tilt for tekun/dibao/fanpin: deductible × 0.5 = 5,000,
  +10 points (60/70/80%), no cap.
* assistance: tekun 0 / 90% / cap 10,000; dibao and fanpin 1,000 / 50% / cap 20,000;
  monitored 2,000 / 40% / cap 5,000; ordinary none.
* subsidy: premium 300; tekun 1, dibao 0.5, fanpin 0.5, monitored 0.3333.
* special.pneumoconiosis: basic +10 points, aid 50% of what is left, cap 3,000.

A level-3 bill with in-policy cost X >= 1,000 leaves a self-burden after basic
of X − (X − 1000) × 0.5 = 0.5·X + 500; so X = 2·(S − 500) gives burden S.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import tomllib
from decimal import Decimal
from typing import Any

from jiceng.insurance import Bill, Policy, load_policy
from jiceng.insurance.policy import policy_from_dict

SIMPLE_TOML = """
[meta]
region = "431100000000"
name = "单元测试政策"
effective_from = 2022-01-01
effective_to = 2022-12-31
source = "单元测试用"
illustrative = true

[basic]
source = "单元测试用"
illustrative = true
annual_cap = 100000
deductible_per = "admission"
[basic.levels.1]
deductible = 100
ratio = 0.9
[basic.levels.2]
deductible = 500
ratio = 0.8
[basic.levels.3]
deductible = 1000
ratio = 0.5

[critical]
source = "单元测试用"
illustrative = true
income_reference = 20000
deductible_share = 0.5
annual_cap = 50000
segments = [
  { upto = 10000, ratio = 0.5 },
  { upto = 20000, ratio = 0.6 },
  { ratio = 0.7 },
]

[critical.tilt]
categories = ["tekun", "dibao", "fanpin"]
deductible_factor = 0.5
ratio_bonus = 0.1
cap = "none"

[assistance.tekun]
source = "单元测试用"
deductible = 0
ratio = 0.9
annual_cap = 10000

[assistance.dibao]
source = "单元测试用"
deductible = 1000
ratio = 0.5
annual_cap = 20000

[assistance.fanpin]
source = "单元测试用"
deductible = 1000
ratio = 0.5
annual_cap = 20000

[assistance.monitored]
source = "单元测试用"
deductible = 2000
ratio = 0.4
annual_cap = 5000

[subsidy]
source = "单元测试用"
premium = 300
[subsidy.shares]
tekun = 1
dibao = 0.5
fanpin = 0.5
monitored = 0.3333

[special.pneumoconiosis]
name = "尘肺病农民工"
source = "单元测试用"
basic_ratio_bonus = 0.1
aid_ratio = 0.5
aid_annual_cap = 3000
"""


def simple_dict() -> dict[str, Any]:
    """A fresh, mutable copy of the simple policy as parsed TOML."""
    return copy.deepcopy(_simple_dict())


@functools.cache
def _simple_dict() -> dict[str, Any]:
    return tomllib.loads(SIMPLE_TOML, parse_float=Decimal)


@functools.cache
def simple_policy() -> Policy:
    """The simple policy described in this module's docstring."""
    return load_policy(SIMPLE_TOML)


def policy_with(**changes: Any) -> Policy:
    """The simple policy with dotted-path changes, e.g. ``basic__deductible_per="year"``."""
    data = simple_dict()
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        table = data
        for key in parents:
            table = table.setdefault(key, {})
        table[last] = value
    return policy_from_dict(data)


_counter = iter(range(1, 10**9))


def bill(
    in_policy: str | int,
    *,
    total: str | int | None = None,
    category: str = "ordinary",
    level: str = "3",
    day: str = "2022-03-01",
    person: str = "P1",
    bill_id: str | None = None,
    groups: tuple[str, ...] = (),
) -> Bill:
    """Build a bill; ``total`` defaults to ``in_policy`` (no out-of-policy cost)."""
    amount = Decimal(str(in_policy))
    return Bill(
        id=bill_id or f"B{next(_counter):06d}",
        person=person,
        category=category,
        date=dt.date.fromisoformat(day),
        hospital_level=level,
        total=Decimal(str(total)) if total is not None else amount,
        in_policy=amount,
        groups=groups,
    )


def D(value: str | int) -> Decimal:
    """Short Decimal constructor for expected values."""
    return Decimal(str(value))
