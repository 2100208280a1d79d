"""The case list's filter reads dates, 督办 and words beyond the title (the dashboard's links rely on it)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.cases.errors import InvalidInput
from jiceng.cases.filters import CaseFilter, filter_cases
from jiceng.cases.models import Case

from .helpers import submit

pytestmark = pytest.mark.django_db


def test_it_reads_dates_supervision_and_words_from_the_query_string(world):
    first = submit(world, title="路灯不亮", description="村口东边第三根杆子")
    second = submit(world, title="垃圾没人收", description="小卖部门口")
    Case.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(days=40), supervise_count=1)
    every = Case.objects.all()

    def numbers(**params):
        return set(filter_cases(every, CaseFilter.from_params(params)).values_list("number", flat=True))

    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert numbers(created_after=since) == {first.number}
    assert numbers(created_before=since) == {second.number}
    assert numbers(supervised="1") == {second.number}
    assert numbers(q="第三根") == {first.number}
    assert numbers(q="小卖部") == {second.number}


def test_it_refuses_a_date_it_cannot_read_naming_the_field():
    with pytest.raises(InvalidInput) as refused:
        CaseFilter.from_params({"created_after": "上个月"})
    assert refused.value.field == "created_after"
