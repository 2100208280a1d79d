"""The vectorised batch mode gives exactly the scalar engine's amounts."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given

from jiceng.insurance import CATEGORIES, Bill, calculate_batch, calculate_year, load_example_policy
from jiceng.insurance.batch import calculate_arrays

from .helpers import bill, simple_policy
from .strategies import bill_lists, fast, policies

FIELDS = ("basic", "critical", "assistance", "special_aid", "self_pay", "reimbursed_ratio")


def _assert_same(policy, bills):
    scalar = calculate_year(policy, bills, explain=False)
    batch = calculate_batch(policy, bills)
    assert len(batch) == len(scalar)
    for i, r in enumerate(scalar):
        row = batch.row(i)
        assert {f: row[f] for f in FIELDS} == {f: getattr(r, f) for f in FIELDS}, bills[i]


@fast(150)
@given(policies(), bill_lists())
def test_batch_equals_scalar_on_random_policies_and_bills(policy, bills):
    # bill_lists lets the category change within a year and mixes special groups,
    # so the clamps and the special aid are exercised too.
    _assert_same(policy, bills)


def _random_bills(n: int, people: int, seed: int) -> list[Bill]:
    rng = random.Random(seed)
    category = {p: rng.choice(CATEGORIES) for p in range(people)}
    out = []
    for i in range(n):
        p = rng.randrange(people)
        # mostly modest bills, a few very large ones that reach the caps
        total = rng.randint(0, 3_000_000) if rng.random() < 0.9 else rng.randint(0, 80_000_000)
        in_policy = rng.randint(0, total)
        out.append(
            Bill(
                id=f"{seed}-{i:06d}",
                person=f"4311{p:08d}",
                # one person in twenty changes category during the year
                category=category[p] if p % 20 else rng.choice(CATEGORIES),
                date=dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(365)),
                hospital_level=rng.choice("123"),
                total=Decimal(total) / 100,
                in_policy=Decimal(in_policy) / 100,
                groups=("pneumoconiosis",) if p % 50 == 7 else (),
            )
        )
    return out


def test_batch_equals_scalar_on_a_larger_random_sample():
    # 6,000 people, 15,000 bills on the shipped example policy
    _assert_same(load_example_policy(), _random_bills(15_000, 6_000, seed=2022))


def test_a_county_sized_batch_runs_and_adds_up():
    # 120,000 bills for 40,000 people, built directly as columns
    policy = load_example_policy()
    rng = np.random.default_rng(7)
    n, people = 120_000, 40_000
    total = rng.integers(0, 4_000_000, n)
    in_policy = (total * rng.integers(0, 10_001, n)) // 10_000
    person = rng.integers(0, people, n)
    day = rng.integers(0, 365, n)
    category = rng.integers(0, len(CATEGORIES), n)
    level = rng.integers(1, 4, n)
    result = calculate_arrays(
        policy,
        bill_id=np.char.add("b", np.arange(n).astype(str)),
        person=person.astype(str),
        date=np.datetime64("2022-01-01") + day,
        category=category,
        hospital_level=level,
        total_cents=total,
        in_policy_cents=in_policy,
    )
    assert np.array_equal(result.reimbursed + result.self_pay, total)
    assert (result.self_pay >= total - in_policy).all()
    assert (np.stack([result.basic, result.critical, result.assistance]) >= 0).all()

    # Spot-check every bill of 200 people against the scalar engine.
    chosen = set(rng.choice(people, 200, replace=False).tolist())
    idx = [i for i in range(n) if int(person[i]) in chosen]
    sample = [
        Bill(
            id=f"b{i}",
            person=str(person[i]),
            category=CATEGORIES[category[i]],
            date=dt.date(2022, 1, 1) + dt.timedelta(days=int(day[i])),
            hospital_level=str(level[i]),
            total=Decimal(int(total[i])) / 100,
            in_policy=Decimal(int(in_policy[i])) / 100,
        )
        for i in idx
    ]
    for i, r in zip(idx, calculate_year(policy, sample, explain=False), strict=True):
        assert [int(result.basic[i]), int(result.critical[i]), int(result.assistance[i]), int(result.self_pay[i])] == [
            int(r.basic * 100),
            int(r.critical * 100),
            int(r.assistance * 100),
            int(r.self_pay * 100),
        ]


def test_the_cumulative_rounding_example_is_the_same_in_batch():
    # see test_cumulative_rounding: 0.05, 0.04, 0.05
    bills = [bill("0.05", category="tekun", day=f"2022-05-0{i}") for i in (1, 2, 3)]
    result = calculate_batch(simple_policy(), bills)
    assert result.assistance.tolist() == [5, 4, 5]


def test_an_empty_batch_gives_empty_arrays():
    result = calculate_batch(simple_policy(), [])
    assert len(result) == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"date": ["2023-01-01"]}, "有效期"),
        ({"in_policy_cents": [101]}, "大于总费用"),
        ({"category": ["vip"]}, "未知的人员类别"),
        ({"hospital_level": [4]}, "未知的医院等级"),
        ({"bill_id": ["a", "a"], "person": ["p", "p"], "date": ["2022-01-01"] * 2, "category": ["tekun"] * 2,
          "hospital_level": ["1"] * 2, "total_cents": [1, 1], "in_policy_cents": [1, 1]}, "重复"),
    ],
)
def test_the_batch_refuses_bad_columns(change, reason):
    columns = {
        "bill_id": ["a"],
        "person": ["p"],
        "date": ["2022-01-01"],
        "category": ["tekun"],
        "hospital_level": ["1"],
        "total_cents": [100],
        "in_policy_cents": [100],
    }
    columns.update(change)
    with pytest.raises(ValueError, match=reason):
        calculate_arrays(simple_policy(), **columns)
