"""bulk_update on a sealed column stores each value sealed, not the text of Django's CASE expression."""

import pytest
from django.db import connection, transaction

from jiceng.cases.models import Case
from jiceng.sealed import blind_index

from ..cases.helpers import submit

pytestmark = pytest.mark.django_db


def test_bulk_update_seals_each_value_and_reads_back(world):
    first, second = submit(world), submit(world, title="井盖丢了")
    first.reporter_phone, second.reporter_phone = "13900001111", "13900002222"
    for case in (first, second):
        case.reporter_phone_index = blind_index(case.reporter_phone, "phone")
    Case.objects.bulk_update([first, second], ["reporter_phone", "reporter_phone_index"])

    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id IN (%s, %s)", [first.pk, second.pk])
        stored = [row[0] for row in cursor.fetchall()]
    assert all(value.startswith("sealed1:") and "139" not in value for value in stored)
    assert Case.objects.get(pk=first.pk).reporter_phone == "13900001111"
    assert Case.objects.get(pk=second.pk).reporter_phone == "13900002222"


@pytest.mark.parametrize("expression", ["address", "upper"])
def test_an_sql_expression_is_refused_before_it_is_written(world, expression):
    from django.db.models import F
    from django.db.models.functions import Upper

    from jiceng.sealed import SealedKeyError

    case = submit(world)
    value = F("address") if expression == "address" else Upper("reporter_phone")
    with pytest.raises(SealedKeyError, match="不能写入 SQL 表达式"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(reporter_phone=value)
    assert Case.objects.get(pk=case.pk).reporter_phone == case.reporter_phone  # nothing written


def test_the_column_copied_onto_itself_is_allowed(world):
    from django.db.models import F

    case = submit(world)
    Case.objects.filter(pk=case.pk).update(reporter_phone=F("reporter_phone"))
    assert Case.objects.get(pk=case.pk).reporter_phone == case.reporter_phone
