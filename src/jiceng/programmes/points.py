"""Volunteer points (志愿服务积分): activities, sign-up and check-in, an append-only ledger, the points store, star ratings.

The balance lives on :class:`PointsAccount` and changes only together with a
ledger line, under the account's row lock (``select_for_update``), so two
redemptions at the same moment are serialised: the second sees the first's
balance and is refused if too little is left. The database refuses a negative
balance as well (check constraints), and a check-in grants an activity's
points once (a unique constraint), whatever the adapters do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.areas.models import Area
from jiceng.errors import Conflict, InvalidInput
from jiceng.people.actions import clean_date, clean_text, surviving
from jiceng.people.models import Household, Person

from . import access
from .models import Activity, PointsAccount, PointsEntry, Reward, SignUp, StarRating

# 五星级文明户: one star per criterion met.
STAR_CRITERIA = ["遵纪守法星", "诚实守信星", "孝老爱亲星", "卫生清洁星", "热心公益星"]


def _positive_int(value: Any, field: str, label: str, maximum: int = 100_000) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("%(label)s必须是整数") % {"label": label}, field=field) from None
    if not 1 <= number <= maximum:
        raise InvalidInput(_("%(label)s必须在 1 到 %(max)s 之间") % {"label": label, "max": maximum}, field=field)
    return number


@transaction.atomic
def do_create_activity(user: User | None, *, name: str, area: Area, on: Any, points: Any, capacity: Any = None) -> Activity:
    access.check_manage_in(user, area)
    return Activity.objects.create(name=clean_text(name, "name", _("活动名称"), 100, required=True), area=area,
                                   on=clean_date(on, "on", _("活动日期")), points=_positive_int(points, "points", _("积分"), 1000),
                                   capacity=_positive_int(capacity, "capacity", _("名额")) if capacity not in (None, "") else None,
                                   created_by=user)


@transaction.atomic
def do_sign_up(user: User | None, activity: Activity, person: Person) -> SignUp:
    """Sign a person up (by staff of the area); refused when full or signed up already."""
    access.check_manage_in(user, activity.area)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    person = surviving(person)
    if SignUp.objects.filter(activity=activity, person=person).exists():
        raise Conflict(_("%(name)s 已报名该活动") % {"name": person.name}, field="person")
    if activity.capacity is not None and activity.signups.count() >= activity.capacity:
        raise Conflict(_("活动名额已满（%(n)s 人）") % {"n": activity.capacity}, field="activity")
    return SignUp.objects.create(activity=activity, person=person)


def _account(person: Person) -> PointsAccount:
    """The person's account, locked for this transaction (created on first use)."""
    account = PointsAccount.objects.select_for_update().filter(person=person).first()
    if account is None:
        try:
            with transaction.atomic():
                PointsAccount.objects.create(person=person, area_id=person.area_id)
        except IntegrityError:
            pass  # created at the same moment by another transaction
        account = PointsAccount.objects.select_for_update().get(person=person)
    return account


def _post(account: PointsAccount, delta: int, reason: str, by: User, **refs: Any) -> PointsEntry:
    account.balance += delta
    if account.balance < 0:
        raise Conflict(_("积分不足：当前 %(have)s 分，需要 %(need)s 分") % {"have": account.balance - delta, "need": -delta}, field="reward")
    account.save(update_fields=["balance"])
    return PointsEntry.objects.create(account=account, delta=delta, balance_after=account.balance, reason=reason, by=by, **refs)


@transaction.atomic
def do_check_in(user: User | None, signup: SignUp) -> PointsEntry:
    """Check a signed-up person in: the activity's points are granted once."""
    signup = SignUp.objects.select_for_update(of=("self",)).select_related("activity", "person").get(pk=signup.pk)
    access.check_manage_in(user, signup.activity.area)
    if signup.checked_in_at is not None:
        raise Conflict(_("已签到，积分已发放"), field="signup")
    signup.checked_in_at, signup.checked_in_by = timezone.now(), user
    signup.save(update_fields=["checked_in_at", "checked_in_by"])
    account = _account(signup.person)
    return _post(account, signup.activity.points, _("参加活动：%(name)s") % {"name": signup.activity.name}, user, activity=signup.activity)


@transaction.atomic
def do_redeem(user: User | None, person: Person, reward: Reward) -> PointsEntry:
    """Redeem a reward: refused (nothing written) if the balance or the stock is short."""
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    access.check_manage_in(user, reward.area)
    if not reward.active:
        raise InvalidInput(_("“%(name)s”已下架") % {"name": reward.name}, field="reward")
    if reward.stock < 1:
        raise Conflict(_("“%(name)s”已兑完") % {"name": reward.name}, field="reward")
    account = _account(surviving(person))
    entry = _post(account, -reward.cost, _("兑换：%(name)s") % {"name": reward.name}, user, reward=reward)
    reward.stock -= 1
    reward.save(update_fields=["stock"])
    return entry


def balance_from_ledger(account: PointsAccount) -> int:
    """The balance recomputed from the ledger (it must equal ``account.balance``)."""
    from django.db.models import Sum

    return account.entries.aggregate(total=Sum("delta"))["total"] or 0


@transaction.atomic
def do_rate_household(user: User | None, household: Household, *, year: Any, criteria: list[str]) -> StarRating:
    """Rate a household for a year: one star per criterion met (五星级文明户 with all five)."""
    access.check_manage_in(user, household.area)
    year = _positive_int(year, "year", _("年度"), 2200)
    unknown = [c for c in criteria if c not in STAR_CRITERIA]
    if unknown:
        raise InvalidInput(_("“%(c)s”不是评星标准（%(all)s）") % {"c": str(unknown[0])[:16], "all": "、".join(STAR_CRITERIA)}, field="criteria")
    met = [c for c in STAR_CRITERIA if c in criteria]
    rating, _created = StarRating.objects.update_or_create(household=household, year=year,
                                                           defaults={"criteria": met, "stars": len(met), "rated_by": user})
    return rating
