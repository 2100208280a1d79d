"""Pairing (结对帮扶 / 党员包户): a helper takes up to the scheme's limit of households, with a duty checklist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.errors import Conflict, InvalidInput
from jiceng.people.actions import clean_date, clean_text
from jiceng.people.models import Household

from . import access
from .models import PARTY_MEMBER_DUTIES, MonitoredHousehold, MonitoringStatus, Pairing, PairingScheme

DEFAULT_SCHEMES = (
    ("party-member", "党员包户", 3, PARTY_MEMBER_DUTIES),
    ("monitoring-helper", "防返贫监测帮扶", 5, ["政策宣传", "收入核查", "帮扶措施落实", "风险排查"]),
)


def install_default_schemes(Scheme) -> None:
    existing = set(Scheme.objects.values_list("code", flat=True))
    Scheme.objects.bulk_create([Scheme(code=c, name=n, limit=limit, duties=list(d)) for c, n, limit, d in DEFAULT_SCHEMES if c not in existing])


def active_pairings(helper: User, scheme: PairingScheme) -> QuerySet[Pairing]:
    return Pairing.objects.filter(helper=helper, scheme=scheme, ended__isnull=True)


@transaction.atomic
def do_pair(user: User | None, *, scheme: PairingScheme, helper: User, household: Household, started: Any = None) -> Pairing:
    """Pair ``helper`` with ``household`` under ``scheme``; refused beyond the scheme's limit or if the household already has a helper.

    The helper's row is locked first, so two pairings made at the same moment
    cannot both slip under the limit.
    """
    access.check_manage_in(user, household.area)
    if not scheme.active:
        raise InvalidInput(_("结对方案“%(name)s”已停用") % {"name": scheme.name}, field="scheme")
    if not helper.is_active:
        raise InvalidInput(_("帮扶人账号已停用"), field="helper")
    started = clean_date(started or timezone.localdate(), "started", _("结对日期"))
    type(helper).objects.select_for_update().filter(pk=helper.pk).first()
    count = active_pairings(helper, scheme).count()
    if count >= scheme.limit:
        raise Conflict(_("%(helper)s 已结对 %(n)s 户，达到“%(scheme)s”每人 %(limit)s 户的上限") % {
            "helper": helper.display_name, "n": count, "scheme": scheme.name, "limit": scheme.limit}, field="helper")
    try:
        with transaction.atomic():
            return Pairing.objects.create(scheme=scheme, helper=helper, household=household, started=started, created_by=user)
    except IntegrityError:
        current = Pairing.objects.filter(scheme=scheme, household=household, ended__isnull=True).select_related("helper").first()
        who = current.helper.display_name if current else ""
        raise Conflict(_("该户已有“%(scheme)s”帮扶人 %(helper)s，请先解除原结对") % {"scheme": scheme.name, "helper": who},
                       field="household") from None


@transaction.atomic
def do_end_pairing(user: User | None, pairing: Pairing, *, ended: Any = None, reason: str) -> Pairing:
    pairing = Pairing.objects.select_for_update(of=("self",)).select_related("household__area").get(pk=pairing.pk)
    access.check_manage_in(user, pairing.household.area)
    if pairing.ended is not None:
        raise Conflict(_("该结对已于 %(day)s 解除") % {"day": pairing.ended.isoformat()}, field="ended")
    pairing.ended = clean_date(ended or timezone.localdate(), "ended", _("解除日期"))
    if pairing.ended < pairing.started:
        raise InvalidInput(_("解除日期不能早于结对日期"), field="ended")
    pairing.end_reason = clean_text(reason, "reason", _("解除原因"), 200, required=True)
    pairing.save(update_fields=["ended", "end_reason"])
    return pairing


@transaction.atomic
def do_mark_duty(user: User | None, pairing: Pairing, duty: str, *, on: Any = None) -> Pairing:
    """Record a duty of the checklist as done on ``on`` (the helper or a manager of the area)."""
    pairing = Pairing.objects.select_for_update(of=("self",)).select_related("scheme", "household__area").get(pk=pairing.pk)
    if not (user is not None and pairing.helper_id == user.pk) :
        access.check_manage_in(user, pairing.household.area)
    if pairing.ended is not None:
        raise Conflict(_("该结对已解除"), field="duty")
    if duty not in pairing.scheme.duties:
        raise InvalidInput(_("“%(duty)s”不是“%(scheme)s”的职责（%(duties)s）") % {
            "duty": str(duty)[:16], "scheme": pairing.scheme.name, "duties": "、".join(pairing.scheme.duties)}, field="duty")
    day = clean_date(on or timezone.localdate(), "on", _("完成日期"))
    pairing.duties_done = {**pairing.duties_done, duty: day.isoformat()}
    pairing.save(update_fields=["duties_done"])
    return pairing


def checklist(pairing: Pairing) -> list[dict]:
    """The scheme's duties with the date each was last done (None: not yet)."""
    return [{"duty": d, "done_on": pairing.duties_done.get(d)} for d in pairing.scheme.duties]


def unpaired_monitored(user: User | None, scheme: PairingScheme | None = None) -> QuerySet[MonitoredHousehold]:
    """Monitored households (still at risk) without a current helper — under ``scheme`` if given.

    A NOT EXISTS on the pairing index (household, ended), inside the user's visible households.
    """
    pairings = Pairing.objects.filter(household_id=OuterRef("household_id"), ended__isnull=True)
    if scheme is not None:
        pairings = pairings.filter(scheme=scheme)
    return (access.visible_monitored(user).filter(status=MonitoringStatus.MONITORED)
            .filter(~Exists(pairings)).select_related("household", "household__head", "area"))
