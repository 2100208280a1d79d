"""``jiceng tick``: each consequence of a deadline recorded once, as events that verify."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command

from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case, CaseEvent, SlaMark
from jiceng.cases.sla import SHANGHAI, add_working_days
from jiceng.cases.tick import run_tick
from jiceng.cases.verify import iter_problems

from .helpers import submit, village_staff

pytestmark = pytest.mark.django_db


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


MON = sh(2026, 3, 2, 9)


def handling(world, at=MON, category="minsheng-road", **kw) -> Case:
    case = submit(world, category=category, now=at, **kw)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "accept", staff, {"plan": "限期处理"}, now=at + timedelta(hours=1))
    case = do_case_action(case, "dispatch", staff, {}, now=at + timedelta(hours=1))
    return do_case_action(case, "claim", staff, {}, now=at + timedelta(hours=1))


def actions(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", flat=True))


def after_claim(case: Case) -> list[str]:
    return actions(case)[4:]


def test_each_consequence_is_recorded_once_as_the_clock_runs(world):
    case = handling(world)  # due Monday 9 March 17:30
    assert run_tick(sh(2026, 3, 6, 9)).recorded == 0
    assert run_tick(sh(2026, 3, 9, 9)).done["due_soon"] == 1
    assert run_tick(sh(2026, 3, 9, 9, 30)).recorded == 0
    assert run_tick(sh(2026, 3, 9, 18)).done["overdue"] == 1
    assert run_tick(sh(2026, 3, 10, 14, 59)).recorded == 0, "4 working hours overdue only at 15:00"
    assert run_tick(sh(2026, 3, 10, 15)).done["supervise"] == 1
    assert Case.objects.get(pk=case.pk).reply_by == sh(2026, 3, 12, 17, 30), "the supervision is answered within 2 working days"
    assert run_tick(sh(2026, 3, 12, 17, 30)).recorded == 0
    late = run_tick(sh(2026, 3, 30, 9))
    assert late.done["escalate"] == 0, "a road complaint is not escalated automatically"
    assert late.done["reply_overdue"] == 1 and late.recorded == 1, "the unanswered supervision is flagged"
    assert run_tick(sh(2026, 3, 31, 9)).recorded == 0, "once"
    assert after_claim(case) == ["remind", "flag_overdue", "supervise", "flag_reply_overdue"]
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.supervise_count == 1 and fresh.level == "village"
    events = CaseEvent.objects.filter(case=case, seq__gt=4)
    assert all(e.actor_id is None for e in events) and "2026-03-09 17:30" in events[0].note
    assert list(iter_problems()) == []


def test_running_tick_twice_adds_nothing(world):
    cases = [handling(world), submit(world, now=MON), handling(world, category="jiufen-land", fields={"parties": ["甲", "乙"]})]
    now = sh(2026, 4, 20, 9)
    first = run_tick(now)
    assert first.recorded >= 7
    counts = [Case.objects.get(pk=c.pk).event_count for c in cases]
    second = run_tick(now)
    assert second.recorded == 0
    assert [Case.objects.get(pk=c.pk).event_count for c in cases] == counts
    assert SlaMark.objects.count() == first.recorded


def test_an_overdue_case_gets_no_late_due_soon_reminder(world):
    case = handling(world)
    run_tick(sh(2026, 3, 11, 9))
    assert after_claim(case) == ["flag_overdue", "supervise"]


def test_a_case_awaiting_acceptance_is_reminded_and_flagged(world):
    case = submit(world, now=MON)  # due for acceptance Thursday 16:00
    run_tick(sh(2026, 3, 5, 12))
    run_tick(sh(2026, 3, 5, 16, 30))
    assert actions(case) == ["submit", "remind", "flag_overdue"]


def test_the_clock_and_tick_stand_still_while_suspended(world):
    case = handling(world)
    case = do_case_action(case, "suspend", village_staff(world, case.area_id), {"note": "等待材料"}, now=sh(2026, 3, 3, 9))
    assert run_tick(sh(2026, 5, 1, 9)).recorded == 0
    assert actions(case)[-1] == "suspend"


def test_a_new_deadline_gets_its_own_reminder(world):
    case = handling(world)
    staff = village_staff(world, case.area_id)
    run_tick(sh(2026, 3, 9, 9))
    case = do_case_action(case, "request_extension", staff, {"note": "配件未到", "deadline": sh(2026, 3, 20, 17, 30)}, now=sh(2026, 3, 9, 10))
    case = do_case_action(case, "approve_extension", staff, {}, now=sh(2026, 3, 9, 11))
    run_tick(sh(2026, 3, 9, 12))
    assert after_claim(case)[-1] == "approve_extension"
    run_tick(sh(2026, 3, 20, 9))
    run_tick(sh(2026, 3, 20, 9, 5))
    assert after_claim(case).count("remind") == 2


def test_an_overdue_dispute_climbs_village_township_county(world):
    case = handling(world, category="jiufen-land", fields={"parties": ["李建国", "王志勇"]})
    assert case.deadline == sh(2026, 3, 16, 17, 30)  # village tier: 10 working days
    assert run_tick(sh(2026, 3, 18, 17, 0)).done["escalate"] == 0, "12.5 working hours overdue: not yet (13)"
    at = sh(2026, 3, 19, 9)
    summary = run_tick(at)
    assert summary.done["escalate"] == 1
    case = Case.objects.get(pk=case.pk)
    township_code = case.area_id[:9] + "000"
    assert (case.level, case.state, case.unit) == ("township", "dispatched", world.unit("judicial_office", township_code))
    assert case.deadline == add_working_days(at, 15) and case.escalation_count == 1
    run_tick(at)
    later = case.deadline + timedelta(days=5)
    run_tick(later)
    case = Case.objects.get(pk=case.pk)
    # the county has a dispatch centre: the escalation waits there to be dispatched to a department
    assert (case.level, case.state, case.unit) == ("county", "accepted", None)
    run_tick(case.deadline + timedelta(days=30))
    case = Case.objects.get(pk=case.pk)
    assert case.level == "county" and case.escalation_count == 2, "there is no tier above the county"
    assert after_claim(case) == ["flag_overdue", "supervise", "escalate"] * 2 + ["flag_overdue", "supervise"]
    case = do_case_action(case, "dispatch", world.users["county-centre"], {}, now=case.deadline + timedelta(days=30, hours=1))
    assert case.unit == world.unit("natural_resources", world.county.code)
    handler = world.users["county-natural_resources"]
    case = do_case_action(case, "claim", handler, {}, now=case.deadline + timedelta(days=31))
    case = do_case_action(case, "resolve", handler, {"result": "已确权", "fields": {"mediation_result": "调解成功"}}, now=case.deadline + timedelta(days=32))
    assert case.resolved_level == "county"
    assert list(iter_problems()) == []


def test_a_category_without_units_at_the_next_tier_reports_a_problem_and_stays(world):
    from jiceng.areas.models import Unit

    case = handling(world, category="jiufen-land", fields={"parties": ["甲", "乙"]})
    Unit.objects.filter(kind_id="judicial_office").update(active=False)
    summary = run_tick(sh(2026, 3, 25, 9))
    assert summary.done["escalate"] == 0 and summary.problems and case.number in summary.problems[0]
    assert Case.objects.get(pk=case.pk).level == "village"
    assert not SlaMark.objects.filter(kind="escalate").exists(), "the failed escalation left no marker behind"
    assert list(iter_problems()) == []


def test_a_stale_case_is_read_again_instead_of_failing(world):
    from jiceng.cases.tick import record

    case = handling(world)
    stale = Case.objects.select_related("category").get(pk=case.pk)
    do_case_action(case, "note", village_staff(world, case.area_id), {"note": "进展"}, now=sh(2026, 3, 9, 8))
    from jiceng.cases.errors import Conflict

    with pytest.raises(Conflict):
        record(stale, "due_soon", sh(2026, 3, 9, 9))
    assert not SlaMark.objects.exists(), "a conflict leaves no marker"
    assert run_tick(sh(2026, 3, 9, 9)).done["due_soon"] == 1


def test_the_tick_command_prints_a_summary(world, capsys):
    handling(world)
    call_command("tick")
    first = capsys.readouterr().out
    call_command("tick")
    second = capsys.readouterr().out
    assert "超期 1" in first and "自动督办 1" in first
    assert "超期 0" in second and "自动督办 0" in second


@pytest.mark.django_db(transaction=True)
def test_the_server_scheduler_runs_tick_until_stopped(world):
    from jiceng.cases.tick import tick_forever

    class TwoRounds:
        """Stands in for threading.Event: two rounds, then stop (no sleeping, no timing)."""

        def __init__(self):
            self.calls = 0

        def wait(self, seconds):
            self.calls += 1
            return self.calls > 2

    case = handling(world)
    stop = TwoRounds()
    tick_forever(60, stop, now=lambda: sh(2026, 3, 11, 9))
    assert stop.calls == 3
    assert after_claim(case) == ["flag_overdue", "supervise"]
