"""Imported historical cases are closed cases whose chain verifies, marked as imported, and a second import changes nothing."""

from __future__ import annotations

from datetime import datetime

from jiceng.cases.importer import do_import_cases, read_cases_file
from jiceng.cases.models import Case, CaseEvent
from jiceng.cases.sla import SHANGHAI
from jiceng.cases.states import Action, State
from jiceng.cases.verify import iter_problems

from .helpers import csv_bytes, row, xlsx_bytes


def test_rows_become_closed_cases_with_a_history_that_verifies(world):
    admin = world.users["admin"]
    rows = [row(world, number="H-1"), row(world, number="H-2", rating="", title="垃圾未清运", category="环境卫生"),
            row(world, number="H-3", rating="不满意"), row(world, number="H-4", rating="", state="已办结")]
    summary = do_import_cases(admin, read_cases_file(xlsx_bytes(rows), "历史.xlsx"))
    assert summary.created == 4 and summary.skipped == 0
    cases = {c.source_ref: c for c in Case.objects.all()}
    assert {k: c.state for k, c in cases.items()} == {"导入:H-1": State.CLOSED, "导入:H-2": State.CLOSED, "导入:H-3": State.CLOSED,
                                                      "导入:H-4": State.RESOLVED}
    one = cases["导入:H-1"]
    assert one.rating == "satisfied" and one.resolved_level == "village" and one.channel == "hotline"
    assert one.created_at == datetime(2024, 3, 5, 9, 12, tzinfo=SHANGHAI)
    events = list(CaseEvent.objects.filter(case=one).order_by("seq"))
    assert [e.action for e in events] == [Action.SUBMIT, Action.ACCEPT, Action.DISPATCH, Action.CLAIM, Action.RESOLVE, Action.RATE, Action.CLOSE]
    assert all(e.payload.get("imported") is True and e.actor_id == admin.pk and "历史导入" in e.actor_label for e in events)
    assert events[4].at == datetime(2024, 3, 8, 16, 30, tzinfo=SHANGHAI)
    assert cases["导入:H-2"].rating_waiver and cases["导入:H-3"].rating == "unsatisfied"
    assert list(iter_problems(files=False, anchors=False)) == []


def test_importing_the_same_file_again_changes_nothing(world):
    admin = world.users["admin"]
    data = csv_bytes([row(world, number="H-1"), row(world, title="无编号的工单")])
    assert do_import_cases(admin, read_cases_file(data, "a.csv")).created == 2
    events = CaseEvent.objects.count()
    again = do_import_cases(admin, read_cases_file(data, "a.csv"))
    assert (again.created, again.skipped) == (0, 2)
    assert Case.objects.count() == 2 and CaseEvent.objects.count() == events


def test_a_dry_run_counts_and_writes_nothing(world):
    summary = do_import_cases(world.users["admin"], read_cases_file(csv_bytes([row(world), row(world, title="另一件")]), "a.csv"), dry_run=True)
    assert summary.created == 2 and summary.by_state["closed"] == 2
    assert Case.objects.count() == 0


def test_a_unit_named_without_its_place_is_the_one_serving_the_village(world):
    village = world.villages[0]
    township = village.code[:9] + "000"
    do_import_cases(world.users["admin"], read_cases_file(csv_bytes([row(world, village=village, unit="司法所")]), "a.csv"))
    assert Case.objects.get().unit == world.unit("judicial_office", township)
