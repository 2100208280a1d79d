"""防返贫监测: income under the line opens a case once; the exit needs measures, evidence and income at the line;
the medical protection link's case attaches to the registered person and household."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jiceng.cases.models import Case
from jiceng.errors import Conflict, InvalidInput
from jiceng.programmes.models import CaseLink, MonitoringStatus
from jiceng.programmes.monitoring import do_add_measure, do_exit_monitoring, do_monitor_household, do_record_income

from .helpers import household, staff_of


def test_income_under_the_line_opens_one_case_per_year(world, settings):
    settings.MONITORING_INCOME_LINE = "7800"
    staff = staff_of(world)
    h = household(world, monitored=True)
    m = h.monitoring
    record, case = do_record_income(staff, m, year=2025, total="12000", members=2)
    assert record.per_capita == Decimal("6000.00") and case is not None
    assert case.category.code == "fanpin-illness" and case.area_id == h.area_id and "6000.00" in case.description
    assert CaseLink.objects.get(case=case).household_id == h.pk
    _, again = do_record_income(staff, m, year=2025, total="12500", members=2)
    assert again.pk == case.pk
    _, fine = do_record_income(staff, m, year=2024, total="20000", members=2)
    assert fine is None


def test_the_exit_rule(world):
    staff = staff_of(world)
    h = household(world, monitored=True)
    m = h.monitoring
    with pytest.raises(InvalidInput, match="帮扶措施"):
        do_exit_monitoring(staff, m, exited_on="2026-06-01", evidence="务工收入稳定")
    do_add_measure(staff, m, kind="就业帮扶", description="安排公益岗位", on="2026-02-01")
    do_record_income(staff, m, year=2025, total="9000", members=2)
    with pytest.raises(InvalidInput, match="仍低于监测线"):
        do_exit_monitoring(staff, m, exited_on="2026-06-01", evidence="务工收入稳定")
    do_record_income(staff, m, year=2025, total="30000", members=2)
    with pytest.raises(InvalidInput, match="依据"):
        do_exit_monitoring(staff, m, exited_on="2026-06-01", evidence="  ")
    done = do_exit_monitoring(staff, m, exited_on="2026-06-01", evidence="务工收入稳定，医疗费用已报销")
    assert done.status == MonitoringStatus.EXITED and done.exited_by == staff
    with pytest.raises(Conflict):
        do_exit_monitoring(staff, m, exited_on="2026-06-02", evidence="x")
    again = do_monitor_household(staff, h, risk_types=["因灾"], identified_on="2026-07-01")
    assert again.status == MonitoringStatus.MONITORED and again.exited_on is None


def test_risk_types_are_checked(world):
    with pytest.raises(InvalidInput, match="风险类型"):
        do_monitor_household(staff_of(world), household(world), risk_types=["因懒"])


def test_the_medical_link_case_attaches_to_person_and_household(world):
    from datetime import date

    from jiceng.insurance.risk import RiskFinding
    from jiceng.insurance.services import do_open_risk_cases

    h = household(world, monitored=True)
    head = h.head
    finding = RiskFinding(person=head.id_number, year=2025, self_pay=Decimal("42000"), bills=3, crossed=("absolute",),
                          threshold=Decimal("20000"), income_share=None, area=h.area_id, name=head.name, id_number=head.id_number)
    outcome = do_open_risk_cases([finding], triggered_by=staff_of(world), via="test")[0]
    link = CaseLink.objects.get(case=outcome.case)
    assert (link.person_id, link.household_id, link.source) == (head.pk, h.pk, "medical")
