"""Plans make targets with due dates; a visit moves the date on; what is past due appears for the worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.errors import InvalidInput, NotPermitted
from jiceng.people.actions import do_set_tag, tag_kind
from jiceng.programmes.access import overdue_visits_for
from jiceng.programmes.models import PlanKind, PlanTarget
from jiceng.programmes.pairing import do_pair
from jiceng.programmes.visits import PlanInput, VisitInput, do_create_plan, do_log_visit

from .helpers import household, party_scheme, staff_of

TODAY = timezone.localdate()


def test_weekly_patrols_cover_every_grid_and_fall_overdue(world):
    village = world.villages[-1]
    plan = do_create_plan(staff_of(world), PlanInput("农田巡查", PlanKind.PATROL, village, starts=TODAY - dt.timedelta(days=10), interval_days=7))
    grids = world.grids_by_village[village.code]
    assert plan.targets.count() == len(grids)
    worker = grids[0].workers.first()
    overdue = list(overdue_visits_for(worker, TODAY))
    assert [t.grid_id for t in overdue] == [grids[0].pk]
    do_log_visit(worker, overdue[0], VisitInput(findings="沟渠通畅", lat=26.2, lon=111.6))
    assert not overdue_visits_for(worker, TODAY).exists()
    target = PlanTarget.objects.get(pk=overdue[0].pk)
    assert target.next_due == TODAY + dt.timedelta(days=7) and target.visits == 1
    assert overdue_visits_for(worker, TODAY + dt.timedelta(days=8)).count() == 1


def test_monthly_visits_go_to_the_helper_when_paired(world):
    staff, helper = staff_of(world), world.users["resident-4"]
    paired, unpaired = household(world, monitored=True), household(world, monitored=True)
    do_pair(staff, scheme=party_scheme(), helper=helper, household=paired)
    plan = do_create_plan(staff, PlanInput("监测户月访", PlanKind.VISIT, world.villages[-1], starts=TODAY - dt.timedelta(days=40), interval_days=30))
    by_household = {t.household_id: t.assignee_id for t in plan.targets.all()}
    assert by_household[paired.pk] == helper.pk
    assert by_household[unpaired.pk] == world.grids_by_village[world.villages[-1].code][0].workers.first().pk
    assert [t.household_id for t in overdue_visits_for(helper, TODAY)] == [paired.pk]


def test_a_campaign_visits_the_tagged_group_once(world):
    staff = staff_of(world)
    alone = household(world)
    household(world)  # nobody tagged there
    do_set_tag(staff, alone.head, tag_kind("独居老人"), valid_from=TODAY - dt.timedelta(days=400))
    plan = do_create_plan(staff, PlanInput("寒潮敲门行动", PlanKind.CAMPAIGN, world.villages[-1], starts=TODAY - dt.timedelta(days=3),
                                           due=TODAY - dt.timedelta(days=1), tag_kind=tag_kind("独居老人")))
    target = plan.targets.get()
    assert target.household_id == alone.pk
    worker = target.assignee
    assert overdue_visits_for(worker, TODAY).count() == 1
    do_log_visit(worker, target, VisitInput(findings="取暖正常"))
    target.refresh_from_db()
    assert target.next_due is None and not overdue_visits_for(worker, TODAY).exists()


def test_bad_plans_and_visits_are_refused_in_chinese(world):
    staff = staff_of(world)
    with pytest.raises(InvalidInput, match="周期"):
        do_create_plan(staff, PlanInput("x", PlanKind.PATROL, world.villages[-1], starts=TODAY, interval_days=0))
    with pytest.raises(InvalidInput, match="对象标签"):
        do_create_plan(staff, PlanInput("x", PlanKind.CAMPAIGN, world.villages[-1], starts=TODAY, due=TODAY))
    with pytest.raises(NotPermitted):
        do_create_plan(staff_of(world, world.villages[0]), PlanInput("x", PlanKind.PATROL, world.villages[-1], starts=TODAY, interval_days=7))
    plan = do_create_plan(staff, PlanInput("巡查", PlanKind.PATROL, world.villages[-1], starts=TODAY, interval_days=7))
    target = plan.targets.first()
    with pytest.raises(InvalidInput, match="纬度"):
        do_log_visit(target.assignee, target, VisitInput(lat=91, lon=10))
    with pytest.raises(InvalidInput, match="晚于现在"):
        do_log_visit(target.assignee, target, VisitInput(at=timezone.now() + dt.timedelta(days=1)))
    with pytest.raises(InvalidInput, match="发现情况"):
        do_log_visit(target.assignee, target, VisitInput(needs_action=True))
    with pytest.raises(NotPermitted):
        do_log_visit(world.users["resident-1"], target, VisitInput())
