"""点单: what a submission needs, and what it refuses."""

from __future__ import annotations

import pytest

from jiceng.cases.actions import do_submit
from jiceng.cases.errors import InvalidInput, NotPermitted
from jiceng.cases.models import Case, Category

from .helpers import submit, village_staff

pytestmark = pytest.mark.django_db


def _go(world, category="minsheng-road", **kw):
    village = world.villages[-1]
    kw.setdefault("user", village_staff(world, village.code))
    kw.setdefault("reporter_name", "张三明")
    return do_submit(category=Category.objects.get(code=category), area=village, title=kw.pop("title", "标题"), description=kw.pop("description", "内容"), **kw)


def test_numbers_are_year_county_sequence(world):
    first, second = submit(world), submit(world)
    year, county, seq = first.number.split("-")
    assert county == "431102" and len(seq) == 6
    assert int(second.number.split("-")[2]) == int(seq) + 1


def test_the_same_idempotency_key_returns_the_first_case(world):
    case, created = _go(world, idempotency_key="abc-1")
    again, created_again = _go(world, idempotency_key="abc-1")
    assert created and not created_again and again.pk == case.pk
    assert Case.objects.count() == 1


def test_the_same_idempotency_key_with_other_content_is_refused(world):
    from jiceng.cases.errors import IdempotencyConflict

    case, _ = _go(world, idempotency_key="abc-1")
    with pytest.raises(IdempotencyConflict) as err:
        _go(world, idempotency_key="abc-1", title="另一个标题")
    assert err.value.field == "idempotency_key" and case.number in err.value.message
    assert Case.objects.count() == 1


def test_idempotency_keys_of_different_callers_do_not_collide(world):
    from jiceng.cases.actions import Idempotency

    first, _ = _go(world, user=None, idempotency=Idempotency("wx-1", "public:10.0.0.1"))
    second, created = _go(world, user=None, idempotency=Idempotency("wx-1", "public:10.0.0.2"), title="另一件事")
    assert created and first.pk != second.pk


def test_a_key_longer_than_255_characters_is_refused_not_cut(world):
    with pytest.raises(InvalidInput) as err:
        _go(world, idempotency_key="k" * 256)
    assert err.value.field == "idempotency_key" and not Case.objects.exists()


def test_a_hazard_needs_its_level_and_rectification_deadline(world):
    with pytest.raises(InvalidInput) as err:
        _go(world, category="yinhuan-fire", fields={"hazard_level": "较大"})
    assert err.value.field == "fields.rectify_by"
    case, _ = _go(world, category="yinhuan-fire", fields={"hazard_level": "较大", "rectify_by": "2026-12-31"})
    assert case.fields == {"hazard_level": "较大", "rectify_by": "2026-12-31"}


def test_it_refuses_a_choice_outside_the_list(world):
    with pytest.raises(InvalidInput, match="一般"):
        _go(world, category="yinhuan-fire", fields={"hazard_level": "很大", "rectify_by": "2026-12-31"})


def test_it_refuses_unknown_fields_instead_of_dropping_them(world):
    with pytest.raises(InvalidInput) as err:
        _go(world, fields={"colour": "红"})
    assert err.value.field == "fields.colour"


def test_anonymous_reports_only_where_the_category_allows(world):
    case, _ = _go(world, anonymous=True)
    assert case.anonymous and case.reporter_name == ""
    with pytest.raises(InvalidInput) as err:
        _go(world, category="jiufen-neighbour", anonymous=True, fields={"parties": ["甲", "乙"]})
    assert err.value.field == "anonymous"


def test_it_checks_the_id_number_check_digit(world):
    with pytest.raises(InvalidInput) as err:
        _go(world, reporter_id_number="110105194912310021")
    assert "校验码" in err.value.message and err.value.field == "reporter_id_number"
    case, _ = _go(world, reporter_id_number="11010519491231002x")
    assert case.reporter_id_number == "11010519491231002X"


def test_it_refuses_a_bad_phone_number(world):
    with pytest.raises(InvalidInput) as err:
        _go(world, reporter_phone="abc")
    assert err.value.field == "reporter_phone"


def test_an_auditor_cannot_submit(world):
    with pytest.raises(NotPermitted):
        _go(world, user=world.users["auditor"])
    assert not Case.objects.exists()


def test_a_sensor_alert_needs_no_reporter(world):
    case, _ = _go(world, category="yujing-campus", user=None, reporter_name="", channel="sensor", anonymous=True,
                  fields={"device_id": "CAM-0012", "alert_type": "攀爬", "school": "零陵区实验小学"})
    assert case.level == "township" and case.created_by is None
