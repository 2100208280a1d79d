"""The demo seeds people with valid ID numbers, households, tags, pairings within limits, plans and a visit history with some overdue."""

from __future__ import annotations

from django.utils import timezone

from jiceng.demo.people import seed_people
from jiceng.people.idnumber import validate_id_number
from jiceng.people.models import Household, Person, PersonTag
from jiceng.programmes.access import overdue_q
from jiceng.programmes.models import Pairing, PlanTarget, Visit


def test_seed_people_runs_end_to_end(world):
    stats = seed_people(world, seed=3, households_per_village=12, history_days=40)
    assert stats.people == Person.objects.count() > 0 and stats.households == Household.objects.count()
    for number in Person.objects.values_list("id_number", flat=True)[:200]:
        assert validate_id_number(number) == number
    assert PersonTag.objects.filter(kind__name="党员").exists()
    helpers = Pairing.objects.filter(ended__isnull=True).values_list("helper_id", flat=True)
    assert max(list(helpers).count(h) for h in set(helpers)) <= 3
    assert Visit.objects.count() == stats.visits > 0
    assert PlanTarget.objects.filter(overdue_q(timezone.localdate())).exists()
    assert seed_people(world).people == 0  # once
