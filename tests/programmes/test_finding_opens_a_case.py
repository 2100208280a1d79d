"""A visit finding opens a case in one step, pre-filled with the place, household head and findings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.cases.models import Category
from jiceng.errors import InvalidInput
from jiceng.programmes.models import CaseLink, PlanKind
from jiceng.programmes.visits import PlanInput, VisitInput, do_create_plan, do_log_visit, do_open_case_from_visit

from .helpers import household, staff_of


def test_one_step_case_from_a_finding(world):
    h = household(world, monitored=True, name="赵春花", phone="13600001234")
    plan = do_create_plan(staff_of(world), PlanInput("月访", PlanKind.VISIT, world.villages[-1], starts=timezone.localdate(), interval_days=30))
    target = plan.targets.get(household=h)
    visit = do_log_visit(target.assignee, target, VisitInput(findings="房屋后墙开裂，雨天漏水", needs_action=True))
    case = do_open_case_from_visit(target.assignee, visit, category=Category.objects.get(code="minsheng-assistance"))
    assert case.area_id == h.area_id and case.grid_id == h.grid_id and case.channel == "patrol"
    assert "房屋后墙开裂" in case.description and case.reporter_name == "赵春花" and case.reporter_phone == "13600001234"
    assert case.reporter_id_number == h.head.id_number and case.source_ref == f"visit:{visit.pk}"
    visit.refresh_from_db()
    assert visit.case_id == case.pk
    assert CaseLink.objects.get(case=case).household_id == h.pk
    with pytest.raises(InvalidInput, match="已转为工单"):
        do_open_case_from_visit(target.assignee, visit, category=Category.objects.get(code="minsheng-assistance"))


def test_a_category_with_required_fields_takes_them_in_the_same_step(world):
    h = household(world)
    plan = do_create_plan(staff_of(world), PlanInput("巡查", PlanKind.VISIT, world.villages[-1], starts=timezone.localdate(), interval_days=30,
                                                    households=(h,)))
    target = plan.targets.get()
    visit = do_log_visit(target.assignee, target, VisitInput(findings="后墙开裂", needs_action=True))
    category = Category.objects.get(code="yinhuan-building")
    with pytest.raises(InvalidInput, match="隐患等级"):
        do_open_case_from_visit(target.assignee, visit, category=category)
    specs = {s["name"]: s for s in category.field_specs() if s.get("stage", "submit") == "submit"}
    fields = {"hazard_level": "一般", "rectify_by": (timezone.localdate() + dt.timedelta(days=10)).isoformat(), "measures": "先行加固"}
    case = do_open_case_from_visit(target.assignee, visit, category=category, fields={k: v for k, v in fields.items() if k in specs})
    assert case.fields["hazard_level"] == "一般"
