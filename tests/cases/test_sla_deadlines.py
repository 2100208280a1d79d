"""Deadlines of real cases: urgency, tiers, submission out of hours, pause/resume, extension, due state."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from jiceng.cases import sla
from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case, Category
from jiceng.cases.reports import resolution_levels
from jiceng.cases.sla import SHANGHAI, Due, add_working_days, due_status, working_seconds_between
from jiceng.cases.verify import iter_problems

from .helpers import submit, village_staff

pytestmark = pytest.mark.django_db
H = 3600


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


MON = sh(2026, 3, 2, 9)  # an ordinary Monday


def handling(world, at=MON, category="minsheng-road", **kw) -> Case:
    case = submit(world, category=category, now=at, **kw)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "accept", staff, {"plan": "三天内处理"}, now=at + timedelta(hours=1))
    case = do_case_action(case, "dispatch", staff, {}, now=at + timedelta(hours=1))
    return do_case_action(case, "claim", staff, {}, now=at + timedelta(hours=1))


def test_a_submitted_case_is_due_for_acceptance_in_working_hours(world):
    case = submit(world, now=MON)  # 24 working hours to accept: 6 + 6.5 + 6.5 + 5
    assert case.deadline == sh(2026, 3, 5, 16, 0)
    assert working_seconds_between(MON, case.deadline) == 24 * H
    assert due_status(case, MON).phase == "accept"


def test_a_case_submitted_on_a_saturday_night_starts_counting_on_monday(world):
    case = submit(world, now=sh(2026, 3, 7, 22))
    assert case.deadline == sh(2026, 3, 12, 15, 30)
    assert Case.objects.get(pk=case.pk).deadline == case.deadline, "stored in UTC, the same instant"


def test_an_urgent_case_inherits_its_parents_shorter_limits(world):
    case = submit(world, category="minsheng-road", urgency="urgent", now=MON)
    assert case.deadline == sh(2026, 3, 2, 15, 30)  # 4 working hours to accept
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "accept", staff, {"plan": "马上处理"}, now=MON + timedelta(hours=1))
    assert case.deadline == add_working_days(MON, 2)
    critical = submit(world, category="minsheng-road", urgency="critical", now=MON)
    critical = do_case_action(critical, "accept", staff, {"plan": "马上处理"}, now=MON)
    assert critical.deadline == sh(2026, 3, 3, 10, 30)  # 8 working hours: 6 on Monday, 2 on Tuesday


def test_an_unknown_urgency_is_refused(world):
    from jiceng.cases.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        submit(world, urgency="yesterday")
    assert err.value.field == "urgency"
    assert not Case.objects.exists()


def test_each_tier_has_its_own_limit_and_escalation_restarts_the_clock(world):
    case = handling(world, category="jiufen-land", fields={"parties": ["李建国", "王志勇"]})
    assert case.deadline == add_working_days(MON + timedelta(hours=1), 10)  # village tier: 10 working days
    at = sh(2026, 3, 4, 10)
    case = do_case_action(case, "escalate", village_staff(world, case.area_id), {"note": "村调解不成", "deadline": "2030-01-01"}, now=at)
    assert case.level == "township" and case.deadline == add_working_days(at, 15), "the request cannot set the deadline"
    tz = world.users[f"tz-{case.area_id[6:9]}"]
    case = do_case_action(case, "claim", tz, {}, now=at)
    case = do_case_action(case, "escalate", tz, {"note": "涉及确权"}, now=at + timedelta(days=1))
    assert case.level == "county" and case.deadline == add_working_days(at + timedelta(days=1), 30)
    assert list(iter_problems()) == []


def test_the_clock_stands_still_while_suspended(world):
    case = handling(world)
    assert case.deadline == sh(2026, 3, 9, 17, 30)
    staff = village_staff(world, case.area_id)
    left_before = due_status(case, sh(2026, 3, 3, 10)).left
    case = do_case_action(case, "suspend", staff, {"note": "等待群众补充材料"}, now=sh(2026, 3, 3, 10))
    paused = [due_status(case, at) for at in (sh(2026, 3, 4, 10), sh(2026, 3, 30, 10))]
    assert all(p.paused and p.left == left_before for p in paused), "frozen, however long the pause"
    assert all(p.state == Due.NORMAL for p in paused)
    case = do_case_action(case, "resume", staff, {"deadline": "2026-03-06"}, now=sh(2026, 3, 5, 10))
    assert case.deadline == sh(2026, 3, 11, 17, 30), "moved by the two working days paused"
    assert case.suspended_at is None
    assert due_status(case, sh(2026, 3, 5, 10)).left == left_before == timedelta(hours=31)
    assert list(iter_problems()) == []


def test_a_pause_over_a_holiday_moves_the_deadline_by_working_time_only(world):
    case = handling(world, at=sh(2025, 9, 22, 9))
    staff = village_staff(world, case.area_id)
    before = case.deadline
    case = do_case_action(case, "suspend", staff, {"note": "国庆期间当事人外出"}, now=sh(2025, 9, 30, 17))
    case = do_case_action(case, "resume", staff, {}, now=sh(2025, 10, 9, 9, 30))
    assert working_seconds_between(before, case.deadline) == 5400


def test_an_approved_extension_moves_the_deadline(world):
    case = handling(world)
    staff = village_staff(world, case.area_id)
    wanted = sh(2026, 3, 20, 17, 30)
    case = do_case_action(case, "request_extension", staff, {"note": "需要采购配件", "deadline": wanted}, now=sh(2026, 3, 9, 9))
    assert due_status(case, sh(2026, 3, 9, 9)).state == Due.DUE_SOON, "a request alone moves nothing"
    case = do_case_action(case, "approve_extension", staff, {}, now=sh(2026, 3, 9, 10))
    status = due_status(case, sh(2026, 3, 10, 9))
    assert case.deadline == wanted and status.due_at == wanted and status.state == Due.NORMAL


@pytest.mark.parametrize(
    ("at", "state"),
    [
        (sh(2026, 3, 6, 17, 0), Due.NORMAL),  # 7 working hours left of 32.5
        (sh(2026, 3, 9, 9, 0), Due.DUE_SOON),  # 6 left: under 20 %
        (sh(2026, 3, 9, 17, 30), Due.DUE_SOON),  # the last instant
        (sh(2026, 3, 9, 17, 31), Due.OVERDUE),
        (sh(2026, 3, 14, 10, 0), Due.OVERDUE),  # a Saturday, still overdue
    ],
)
def test_the_due_state_follows_the_share_of_the_limit_left(world, at, state):
    case = handling(world)
    status = sla.due_status(case, at)
    assert status.state == state and status.due_at == sh(2026, 3, 9, 17, 30)
    # after 17:30 no working time has passed yet, but the due time has
    assert status.left <= timedelta(0) if state == Due.OVERDUE else status.left >= timedelta(0)


def test_the_due_soon_share_is_a_setting(world, settings):
    case = handling(world)
    settings.JICENG_DUE_SOON_SHARE = 0.5
    assert due_status(case, sh(2026, 3, 6, 9)).state == Due.DUE_SOON


def test_closed_and_resolved_cases_show_no_clock(world):
    case = handling(world)
    case = do_case_action(case, "resolve", village_staff(world, case.area_id), {"result": "已修好"}, now=sh(2026, 3, 20, 9))
    status = due_status(case, sh(2026, 3, 30, 9))
    assert status.state == Due.NONE and status.left is None


def test_overdue_count_agrees_with_due_status(world):
    a, b = handling(world), handling(world, at=sh(2026, 3, 20, 9))
    staff = village_staff(world, a.area_id)
    c = do_case_action(handling(world), "suspend", staff, {"note": "等待"}, now=sh(2026, 3, 12, 9))  # suspended after its deadline
    now = sh(2026, 3, 25, 9)
    flagged = set(Case.objects.filter(sla.overdue_q(now)).values_list("pk", flat=True))
    fresh = [Case.objects.get(pk=x.pk) for x in (a, b, c)]
    assert flagged == {x.pk for x in fresh if due_status(x, now).is_overdue} == {x.pk for x in fresh if sla.is_overdue(x, now)} == {a.pk, c.pk}


def test_a_reopened_case_counts_at_the_tier_that_resolves_it_again(world):
    case = handling(world, reporter_name="张三明")
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "resolve", staff, {"result": "已修"}, now=sh(2026, 3, 4, 9))
    assert case.resolved_level == "village"
    case = do_case_action(case, "rate", staff, {"rating": "unsatisfied"}, now=sh(2026, 3, 5, 9))
    assert case.state == "handling" and case.resolved_level == "", "being handled again, not resolved anywhere"
    township = world.users[f"tz-{case.area_id[6:9]}"]
    case = do_case_action(case, "escalate", staff, {"note": "村里修不了"}, now=sh(2026, 3, 5, 10))
    case = do_case_action(case, "claim", township, {}, now=sh(2026, 3, 5, 11))
    case = do_case_action(case, "resolve", township, {"result": "镇里协调修复"}, now=sh(2026, 3, 6, 9))
    assert case.resolved_level == "township"
    assert list(iter_problems()) == []


def test_the_report_shows_the_share_resolved_per_tier(world):
    for level, n in (("village", 6), ("township", 3), ("county", 1)):
        for _i in range(n):
            Case.objects.filter(pk=submit(world).pk).update(resolved_level=level, state="closed")
    submit(world)  # open: not counted
    shares = {s.level: (s.count, s.percent) for s in resolution_levels(Case.objects.all())}
    assert shares == {"village": (6, 60), "township": (3, 30), "county": (1, 10)}
    assert all(s.share == 0 for s in resolution_levels(Case.objects.none()))


def test_limits_fall_back_to_the_columns_for_a_category_without_a_table(world):
    cat = Category.objects.create(code="plain", name="普通", accept_hours=2, resolve_days=3, visit_days=1)
    assert sla.limit_for(cat, "urgent", "accept") == sla.Limit(2, "h")
    assert sla.limit_for(cat, "normal", "resolve", "county") == sla.Limit(3, "d")
