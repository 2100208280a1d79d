"""防返贫动态监测: monitored households, income per year, measures, the exit rule, and alerts that open cases.

Alerts open a case on the case engine (``do_submit``) in the household's
village and link it to the household (:class:`CaseLink`): a year's income per
head under the monitoring line, a visit finding (``visits``), and the
medical protection engine's high self-pay link, which opens its case for an ID
number — :func:`attach_case_on_create` attaches any monitoring case whose
subject is a registered person to that person and their household.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.cases.actions import do_submit
from jiceng.cases.models import Case, Category
from jiceng.cases.states import Channel
from jiceng.errors import Conflict, InvalidInput
from jiceng.people import identity
from jiceng.people.actions import clean_date, clean_text, find_by_id_number
from jiceng.people.models import Household, Membership
from jiceng.people.tagkinds import RISK_TYPES

from . import access
from .models import CaseLink, IncomeRecord, Measure, MonitoredHousehold, MonitoringStatus

MONITORING_CATEGORY = "fanpin"
MEASURE_KINDS = ["产业帮扶", "就业帮扶", "健康帮扶", "教育帮扶", "综合保障", "消费帮扶", "金融帮扶", "公益岗位", "其他"]
# Category of an income alert by the household's first risk type; others go to the first leaf under 防返贫监测.
CATEGORY_BY_RISK = {"因病": "fanpin-illness", "因残": "fanpin-illness", "因灾": "fanpin-disaster", "因意外": "fanpin-disaster"}


def income_line() -> Decimal:
    """The monitoring line: yearly income per head under which a household is at risk (settings.MONITORING_INCOME_LINE)."""
    return Decimal(str(getattr(settings, "MONITORING_INCOME_LINE", "7800")))


def _clean_risks(risk_types: Any) -> list[str]:
    risks = [str(r).strip() for r in (risk_types or []) if str(r).strip()]
    unknown = [r for r in risks if r not in RISK_TYPES]
    if unknown:
        raise InvalidInput(_("风险类型“%(risk)s”不在可选范围内（%(all)s）") % {"risk": unknown[0][:16], "all": "、".join(RISK_TYPES)},
                           field="risk_types")
    if not risks:
        raise InvalidInput(_("请至少选择一种风险类型"), field="risk_types")
    return list(dict.fromkeys(risks))


@transaction.atomic
def do_monitor_household(user: User | None, household: Household, *, risk_types: Any, identified_on: Any = None) -> MonitoredHousehold:
    """Put a household under monitoring (纳入监测) with its risk types; again after an exit it re-enters."""
    access.check_manage_in(user, household.area)
    risks = _clean_risks(risk_types)
    day = clean_date(identified_on or timezone.localdate(), "identified_on", _("纳入日期"))
    existing = MonitoredHousehold.objects.select_for_update().filter(household=household).first()
    if existing is not None:
        if existing.status == MonitoringStatus.MONITORED:
            raise Conflict(_("该户已在监测中"), field="household")
        existing.status, existing.risk_types, existing.identified_on = MonitoringStatus.MONITORED, risks, day
        existing.exited_on, existing.exit_evidence, existing.exited_by = None, "", None
        existing.save()
        return existing
    return MonitoredHousehold.objects.create(household=household, area=household.area, risk_types=risks, identified_on=day, created_by=user)


def _amount(value: Any, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(label)s必须是金额数字") % {"label": label}, field=field) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise InvalidInput(_("%(label)s必须是合理的非负金额") % {"label": label}, field=field)
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def do_record_income(user: User | None, monitored: MonitoredHousehold, *, year: Any, total: Any, members: Any = None) -> tuple[IncomeRecord, Case | None]:
    """Record a year's household income; per head under the monitoring line opens a case (once per household-year)."""
    monitored = (MonitoredHousehold.objects.select_for_update(of=("self",))
                 .select_related("household__area", "household__grid", "household__head").get(pk=monitored.pk))
    access.check_manage_in(user, monitored.household.area)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput(_("年度必须是四位年份"), field="year") from None
    if not 2000 <= year <= timezone.localdate().year:
        raise InvalidInput(_("年度 %(year)s 不合理") % {"year": year}, field="year")
    total = _amount(total, "total", _("家庭年纯收入"))
    if members in (None, ""):
        members = Membership.objects.filter(household=monitored.household, left__isnull=True).count()
    try:
        members = int(members)
    except (TypeError, ValueError):
        raise InvalidInput(_("家庭人口必须是整数"), field="members") from None
    if not 1 <= members <= 50:
        raise InvalidInput(_("家庭人口必须在 1 到 50 之间"), field="members")
    per_capita = (total / members).quantize(Decimal("0.01"))
    record, _created = IncomeRecord.objects.update_or_create(
        monitored=monitored, year=year, defaults={"total": total, "members": members, "per_capita": per_capita, "recorded_by": user})
    case = None
    if per_capita < income_line() and monitored.status == MonitoringStatus.MONITORED:
        case = _income_alert(user, monitored, year, per_capita)
    return record, case


def _category_for(monitored: MonitoredHousehold) -> Category:
    for risk in monitored.risk_types:
        code = CATEGORY_BY_RISK.get(risk)
        if code:
            category = Category.objects.filter(code=code, active=True).first()
            if category is not None:
                return category
    category = Category.objects.filter(parent__code=MONITORING_CATEGORY, active=True, children__isnull=True).order_by("code").first()
    if category is None:
        raise InvalidInput(_("没有可用的“防返贫监测”工单类别，请先运行 jiceng load-config"), field="category")
    return category


def _income_alert(user: User | None, monitored: MonitoredHousehold, year: int, per_capita: Decimal) -> Case:
    household = monitored.household
    source_ref = f"monitoring-income:{household.pk}:{year}"
    existing = CaseLink.objects.filter(household=household, source="income", case__source_ref=source_ref).select_related("case").first()
    if existing is not None:
        return existing.case
    head = household.head
    case, _created = do_submit(
        user=user, category=_category_for(monitored), area=household.area, grid=household.grid,
        title=_("%(year)s年人均纯收入低于监测线") % {"year": year},
        description=_("监测户 %(number)s（风险类型：%(risks)s）%(year)s年人均纯收入 %(income)s 元，低于监测线 %(line)s 元，请核实并落实帮扶措施。") % {
            "number": household.number, "risks": "、".join(monitored.risk_types), "year": year, "income": per_capita, "line": income_line()},
        channel=Channel.WEB, address=household.address, reporter_name=head.name if head else "",
        reporter_id_number=identity.id_number_of(head) if head else "", reporter_phone=identity.phone_of(head) if head else "",
        source_ref=source_ref,
    )
    CaseLink.objects.get_or_create(case=case, defaults={"household": household, "person": head, "source": "income"})
    return case


@transaction.atomic
def do_add_measure(user: User | None, monitored: MonitoredHousehold, *, kind: str, description: str, on: Any = None) -> Measure:
    access.check_manage_in(user, monitored.household.area)
    if kind not in MEASURE_KINDS:
        raise InvalidInput(_("措施类别必须是：%(kinds)s") % {"kinds": "、".join(MEASURE_KINDS)}, field="kind")
    description = clean_text(description, "description", _("措施内容"), 300, required=True)
    day = clean_date(on or timezone.localdate(), "on", _("落实日期"))
    return Measure.objects.create(monitored=monitored, kind=kind, description=description, on=day, by=user)


@transaction.atomic
def do_exit_monitoring(user: User | None, monitored: MonitoredHousehold, *, exited_on: Any, evidence: str) -> MonitoredHousehold:
    """Mark the risk removed (风险消除) with the date and the evidence; needs a measure taken and, if incomes are recorded,
    the latest year's income per head at or above the line."""
    monitored = MonitoredHousehold.objects.select_for_update(of=("self",)).select_related("household__area").get(pk=monitored.pk)
    access.check_manage_in(user, monitored.household.area)
    if monitored.status != MonitoringStatus.MONITORED:
        raise Conflict(_("该户已于 %(day)s 消除风险") % {"day": monitored.exited_on}, field="status")
    day = clean_date(exited_on, "exited_on", _("风险消除日期"))
    if day < monitored.identified_on:
        raise InvalidInput(_("风险消除日期不能早于纳入日期"), field="exited_on")
    evidence = clean_text(evidence, "evidence", _("风险消除依据"), 2000, required=True)
    if not monitored.measures.exists():
        raise InvalidInput(_("尚未落实任何帮扶措施，不能认定风险消除"), field="evidence")
    latest = monitored.incomes.order_by("-year").first()
    if latest is not None and latest.per_capita < income_line():
        raise InvalidInput(_("最近一年（%(year)s）人均纯收入 %(income)s 元仍低于监测线 %(line)s 元") % {
            "year": latest.year, "income": latest.per_capita, "line": income_line()}, field="evidence")
    monitored.status, monitored.exited_on, monitored.exit_evidence, monitored.exited_by = MonitoringStatus.EXITED, day, evidence, user
    monitored.save()
    return monitored


def attach_case_on_create(sender: Any, instance: Case, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """A new monitoring case whose subject's ID number is registered: link it to the person and their household."""
    if not created or raw or not instance.reporter_id_number:
        return
    if (instance.source_ref or "").startswith(("visit:", "monitoring-")):
        return  # opened by this app, which links it itself
    code = instance.category.code if instance.category_id else ""
    if not (code == MONITORING_CATEGORY or code.startswith(MONITORING_CATEGORY + "-")):
        return
    try:
        person = find_by_id_number(identity.clean_id_number(instance.reporter_id_number))
    except InvalidInput:
        return
    if person is None:
        return
    membership = Membership.objects.filter(person=person, left__isnull=True).first()
    source = "medical" if (instance.source_ref or "").startswith("medical-protection") else "other"
    CaseLink.objects.get_or_create(case=instance, defaults={
        "person": person, "household_id": membership.household_id if membership else None, "source": source})
