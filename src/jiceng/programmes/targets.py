"""Targets (督查督办): a planned quantity over a period shared out to areas, progress reports, completion per area,
and the areas lagging behind the schedule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.areas.models import Area
from jiceng.errors import InvalidInput, NotPermitted
from jiceng.people.actions import clean_date, clean_text

from . import access
from .models import ProgressReport, Target, TargetShare


def _quantity(value: Any, field: str, label: str, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(label)s必须是数字") % {"label": label}, field=field) from None
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero) or amount >= Decimal("1e12"):
        raise InvalidInput(_("%(label)s必须是合理的正数") % {"label": label}, field=field)
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def do_create_target(user: User | None, *, name: str, unit: str, area: Area, starts: Any, ends: Any,
                     shares: dict[Area, Any]) -> Target:
    """A target over ``area`` with each sub-area's planned quantity (the total is their sum)."""
    access.check_manage_in(user, area)
    name = clean_text(name, "name", _("目标名称"), 100, required=True)
    start, end = clean_date(starts, "starts", _("开始日期")), clean_date(ends, "ends", _("截止日期"))
    if end <= start:
        raise InvalidInput(_("截止日期必须晚于开始日期"), field="ends")
    if not shares:
        raise InvalidInput(_("请为至少一个区域分配计划数"), field="shares")
    outside = [a.name for a in shares if not a.code.startswith(area.prefix)]
    if outside:
        raise InvalidInput(_("%(names)s 不在目标范围内") % {"names": "、".join(outside[:5])}, field="shares")
    target = Target.objects.create(name=name, unit=clean_text(unit, "unit", _("计量单位"), 16) or "人", area=area, starts=start, ends=end,
                                   created_by=user)
    TargetShare.objects.bulk_create([TargetShare(target=target, area=a, planned=_quantity(q, "shares", _("计划数")))
                                     for a, q in shares.items()])
    return target


@transaction.atomic
def do_report_progress(user: User | None, share: TargetShare, *, quantity: Any, reported_on: Any = None, funds_used: Any = None,
                       note: str = "") -> ProgressReport:
    """Report a quantity done in an area (staff of that area or above)."""
    if not access.can_manage_in(user, share.area):
        raise NotPermitted(_("只能报告本辖区的进度"), field="share")
    day = clean_date(reported_on or timezone.localdate(), "reported_on", _("报告日期"))
    if not share.target.starts <= day <= share.target.ends + dt.timedelta(days=31):
        raise InvalidInput(_("报告日期不在目标期间内"), field="reported_on")
    return ProgressReport.objects.create(
        share=share, quantity=_quantity(quantity, "quantity", _("完成数")), reported_on=day, by=user,
        funds_used=_quantity(funds_used, "funds_used", _("资金使用"), allow_zero=True) if funds_used not in (None, "") else None,
        note=clean_text(note, "note", _("说明"), 300))


@dataclass(frozen=True)
class AreaProgress:
    share_id: int
    area_code: str
    area_name: str
    planned: Decimal
    done: Decimal
    funds_used: Decimal
    rate: Decimal  # done / planned, 0..(may exceed 1: 103.09%)
    expected: Decimal  # the share of the period elapsed on ``day``
    lagging: bool


def elapsed_share(target: Target, day: dt.date) -> Decimal:
    """How much of the period has passed on ``day`` (0 before the start, 1 from the end)."""
    total = (target.ends - target.starts).days
    passed = min(max((day - target.starts).days, 0), total)
    return (Decimal(passed) / Decimal(total)).quantize(Decimal("0.0001"))


LAG_MARGIN = Decimal("0.10")  # an area lags when it is more than 10 points behind the time-proportional schedule


def progress(target: Target, day: dt.date | None = None) -> list[AreaProgress]:
    """Completion per area on ``day``: done / planned, against the elapsed share of the period; lagging areas flagged."""
    day = day or timezone.localdate()
    expected = elapsed_share(target, day)
    sums = {row["share_id"]: row for row in ProgressReport.objects.filter(share__target=target, reported_on__lte=day)
            .values("share_id").annotate(done=Sum("quantity"), funds=Sum("funds_used"))}
    out = []
    for share in target.shares.select_related("area").order_by("area_id"):
        row = sums.get(share.pk, {})
        done = row.get("done") or Decimal("0")
        rate = (done / share.planned).quantize(Decimal("0.0001"))
        out.append(AreaProgress(share.pk, share.area_id, share.area.name, share.planned, done, row.get("funds") or Decimal("0"), rate,
                                expected, rate + LAG_MARGIN < expected))
    return out


def overall(rows: list[AreaProgress]) -> tuple[Decimal, Decimal, Decimal]:
    """(planned, done, rate) over every area."""
    planned = sum((r.planned for r in rows), Decimal("0"))
    done = sum((r.done for r in rows), Decimal("0"))
    return planned, done, (done / planned).quantize(Decimal("0.0001")) if planned else Decimal("0")


def visible_targets_list(user: User | None):
    q = access.area_q(user)
    shares = TargetShare.objects.all() if q is None else TargetShare.objects.filter(q)
    own = Target.objects.all() if q is None else Target.objects.filter(q)
    return (own | Target.objects.filter(pk__in=shares.values("target_id"))).distinct()
