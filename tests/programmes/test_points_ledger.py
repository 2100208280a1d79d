"""Volunteer points: check-in grants once; redemption never takes the balance below zero nor loses an entry,
also under concurrent redemption on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from jiceng.errors import Conflict, NotPermitted
from jiceng.programmes.models import PointsAccount, PointsEntry, Reward
from jiceng.programmes.points import (
    balance_from_ledger, do_check_in, do_create_activity, do_rate_household, do_redeem, do_sign_up,
)

from tests.people.helpers import register

from .helpers import household, staff_of


def earn(world, person, points=10):
    staff, village = staff_of(world), world.villages[-1]
    activity = do_create_activity(staff, name="河道清洁志愿活动", area=village, on="2026-03-01", points=points, capacity=30)
    return do_check_in(staff, do_sign_up(staff, activity, person))


def test_check_in_grants_once_and_the_ledger_adds_up(world):
    staff, person = staff_of(world), register(world)
    entry = earn(world, person, 10)
    assert (entry.delta, entry.balance_after) == (10, 10)
    with pytest.raises(Conflict, match="已签到"):
        do_check_in(staff, entry.activity.signups.get())
    earn(world, person, 5)
    account = PointsAccount.objects.get(person=person)
    assert account.balance == 15 == balance_from_ledger(account)


def test_redemption_is_refused_when_the_balance_is_short(world):
    staff, person = staff_of(world), register(world)
    earn(world, person, 10)
    soap = Reward.objects.create(name="洗衣粉", area=world.villages[-1], cost=8, stock=5)
    do_redeem(staff, person, soap)
    with pytest.raises(Conflict, match="积分不足"):
        do_redeem(staff, person, soap)
    account = PointsAccount.objects.get(person=person)
    assert account.balance == 2 == balance_from_ledger(account)
    soap.refresh_from_db()
    assert soap.stock == 4


def test_the_ledger_is_append_only(world):
    entry = earn(world, register(world))
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_outsiders_cannot_grant_or_redeem(world):
    person = register(world)
    with pytest.raises(NotPermitted):
        do_create_activity(staff_of(world, world.villages[0]), name="x", area=world.villages[-1], on="2026-03-01", points=5)


def test_star_ratings_count_the_criteria(world):
    h = household(world)
    rating = do_rate_household(staff_of(world), h, year=2025, criteria=["遵纪守法星", "诚实守信星", "孝老爱亲星", "卫生清洁星", "热心公益星"])
    assert rating.stars == 5 and rating.rated_by == staff_of(world)
    assert do_rate_household(staff_of(world), h, year=2025, criteria=["卫生清洁星"]).stars == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_go_negative_or_lose_an_entry(world):
    staff, person = staff_of(world), register(world)
    earn(world, person, 50)  # enough for five redemptions of 10
    reward = Reward.objects.create(name="大米", area=world.villages[-1], cost=10, stock=100)
    n = 12
    barrier, outcomes = threading.Barrier(n), []

    def redeem():
        try:
            barrier.wait()
            do_redeem(staff, person, reward)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    account = PointsAccount.objects.get(person=person)
    assert outcomes.count("ok") == 5 and outcomes.count("refused") == 7
    assert account.balance == 0 == balance_from_ledger(account)
    assert PointsEntry.objects.filter(account=account, delta=-10).count() == 5
    assert list(account.entries.order_by("id").values_list("balance_after", flat=True)) == [50, 40, 30, 20, 10, 0]
    reward.refresh_from_db()
    assert reward.stock == 95


def test_redemption_through_rest_is_refused_with_409_when_short(world):
    from tests.api.helpers import client_for

    staff, person = staff_of(world), register(world)
    earn(world, person, 10)
    reward = Reward.objects.create(name="食用油", area=world.villages[-1], cost=6, stock=9)
    client = client_for(staff)
    ok = client.post(f"/api/v1/programmes/rewards/{reward.pk}/redeem", {"person": person.pk}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["balance"] == 4 and [e["delta"] for e in ok.json()["entries"]] == [-6, 10]
    short = client.post(f"/api/v1/programmes/rewards/{reward.pk}/redeem", {"person": person.pk}, content_type="application/json")
    assert short.status_code == 409 and "积分不足" in short.json()["message"]
    assert client.get(f"/api/v1/programmes/points/{person.pk}").json()["balance"] == 4
