"""The bulk seeder (seed-demo --bulk): cloned histories under fresh numbers verify, and carry scope and tick data."""

from __future__ import annotations

import pytest
from django.db.models import Count

from jiceng.cases.access import visible_cases
from jiceng.cases.models import Case, CaseEvent, CaseScope
from jiceng.cases.scope import case_keys
from jiceng.cases.verify import iter_problems
from jiceng.demo.bulk import bulk_cases

pytestmark = pytest.mark.django_db


def test_every_bulk_case_verifies_under_its_own_number(world):
    made = bulk_cases(world, 60, templates=20, chunk=25)
    assert made == Case.objects.count() == 60
    assert Case.objects.values("number").distinct().count() == 60
    assert list(iter_problems()) == []
    twins = Case.objects.order_by("pk")[0], Case.objects.order_by("pk")[20]  # the same template, two numbers
    assert twins[0].title == twins[1].title and twins[0].last_hash != twins[1].last_hash


def test_a_changed_bulk_event_is_found(world):
    bulk_cases(world, 30, templates=10)
    event = CaseEvent.objects.filter(seq=2).first()
    CaseEvent.objects.filter(pk=event.pk).update(note="改过的说明")
    assert {p.number for p in iter_problems()} == {event.case.number}


def test_bulk_cases_have_scope_and_next_due_rows_as_the_domain_writes_them(world):
    bulk_cases(world, 40, templates=40)
    from_events = {(f"u{u}", c) for u, c in CaseEvent.objects.filter(unit__isnull=False).values_list("unit_id", "case_id").distinct()}
    from_cases = {(k, c.pk) for c in Case.objects.all() for k in case_keys(c)}
    assert set(CaseScope.objects.values_list("key", "case_id")) == from_events | from_cases
    area_of = dict(Case.objects.values_list("pk", "area_id"))
    assert all(area_of[c] == a for c, a in CaseScope.objects.values_list("case_id", "area_id"))
    open_cases = Case.objects.filter(state__in=["submitted", "accepted", "dispatched", "handling"])
    assert not open_cases.filter(next_due_at__isnull=True).exists()
    assert not Case.objects.filter(state="closed", next_due_at__isnull=False).exists()
    village = world.villages[0]
    assert visible_cases(world.users[f"cun-{village.code}"]).filter(area=village).count() == Case.objects.filter(area=village).count()
    assert Case.objects.aggregate(n=Count("pk"))["n"] == 40
