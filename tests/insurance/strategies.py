"""Hypothesis strategies: random (but valid) policies and random bills."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from jiceng.insurance import CATEGORIES, Bill
from jiceng.insurance.policy import policy_from_dict

from .helpers import simple_dict

GROUPS = ("pneumoconiosis", "silicosis")


def fast(max_examples: int) -> settings:
    """Settings for these tests: no deadline (Decimal work varies), no example
    database written into the work tree, and a blob to replay a failure."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Amounts in yuan drawn as whole cents."""
    return st.integers(low, high).map(lambda c: Decimal(c) / 100)


def ratios(max_bp: int = 10000) -> st.SearchStrategy[Decimal]:
    """Ratios with at most four places, up to ``max_bp`` / 10000."""
    return st.integers(0, max_bp).map(lambda b: Decimal(b) / 10000)


def caps(high: int) -> st.SearchStrategy[object]:
    return st.one_of(st.just("none"), cents(0, high))


@st.composite
def policies(draw):
    """A random valid policy. Level and segment ratios stay <= 0.9 and the
    bonuses <= 0.1, so every ratio with a bonus stays within 1."""
    d = simple_dict()
    for level in "123":
        d["basic"]["levels"][level] = {"deductible": draw(cents(0, 300_000)), "ratio": draw(ratios(9000))}
    d["basic"]["annual_cap"] = draw(caps(10_000_000))
    d["basic"]["deductible_per"] = draw(st.sampled_from(["admission", "year"]))
    crit = d["critical"]
    crit["income_reference"] = draw(cents(0, 4_000_000))
    crit["deductible_share"] = draw(ratios())
    crit["annual_cap"] = draw(caps(5_000_000))
    bounds = sorted(draw(st.sets(st.integers(1, 5_000_000), max_size=3)))
    crit["segments"] = [{"upto": Decimal(b) / 100, "ratio": draw(ratios(9000))} for b in bounds]
    crit["segments"].append({"ratio": draw(ratios(9000))})
    crit["tilt"] = {
        "categories": sorted(draw(st.sets(st.sampled_from(CATEGORIES)))),
        "deductible_factor": draw(ratios()),
        "ratio_bonus": draw(ratios(1000)),
        "cap": draw(caps(5_000_000)),
    }
    assistance = {}
    for category in draw(st.sets(st.sampled_from(CATEGORIES))):
        assistance[category] = {
            "source": "随机",
            "deductible": draw(cents(0, 500_000)),
            "ratio": draw(ratios()),
            "annual_cap": draw(caps(3_000_000)),
        }
    d["assistance"] = assistance
    special = {}
    for group in draw(st.sets(st.sampled_from(GROUPS))):
        special[group] = {
            "source": "随机",
            "basic_ratio_bonus": draw(ratios(1000)),
            "aid_deductible": draw(cents(0, 200_000)),
            "aid_ratio": draw(ratios()),
            "aid_annual_cap": draw(caps(1_000_000)),
        }
    d["special"] = special
    return policy_from_dict(d)


_GROUP_SETS = ((), ("pneumoconiosis",), ("silicosis",), ("not_in_policy",), ("pneumoconiosis", "silicosis"),
               ("not_in_policy", "pneumoconiosis"))


@st.composite
def bill_lists(draw, *, max_bills: int = 25, fixed_category: bool = False):
    """Bills of up to three people in 2022, dates close together so ties
    happen. With ``fixed_category`` each person keeps one category all year;
    otherwise the category may change from bill to bill."""
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, 2),  # person
                st.integers(0, len(CATEGORIES) - 1),  # category (if it may change)
                st.integers(0, 5_000_000),  # total, cents
                st.integers(0, 10_000),  # in-policy share of the total, 1/10000
                st.integers(0, 20),  # day of the year
                st.integers(1, 3),  # hospital level
                st.integers(0, len(_GROUP_SETS) - 1),
            ),
            min_size=1,
            max_size=max_bills,
        )
    )
    person_category = draw(st.tuples(*[st.sampled_from(CATEGORIES)] * 3))
    bills = []
    for i, (person, cat, total, share, day, level, groups) in enumerate(rows):
        # share 10000 gives in_policy == total; small totals make cent effects visible
        in_policy = total * share // 10_000
        bills.append(
            Bill(
                id=f"B{(i * 37) % 101:03d}-{i}",
                person=f"P{person}",
                category=person_category[person] if fixed_category else CATEGORIES[cat],
                date=dt.date(2022, 1, 1) + dt.timedelta(days=day),
                hospital_level=str(level),
                total=Decimal(total) / 100,
                in_policy=Decimal(in_policy) / 100,
                groups=_GROUP_SETS[groups],
            )
        )
    return bills
