"""Limits per urgency and tier are data: validated, inherited, and used by the deadline module."""

from __future__ import annotations

import pytest

from jiceng.cases import sla
from jiceng.cases.config import DEFAULT_CONFIG, parse_config
from jiceng.cases.errors import ConfigError
from jiceng.cases.models import Category

GOOD = DEFAULT_CONFIG.read_text(encoding="utf-8")
MINSHENG_SLA = "sla = { accept_hours = 24, resolve_days = 5, visit_days = 3 }"


URGENT = "sla_by_urgency = { urgent = { accept_hours = 4, resolve_days = 2 }, critical = { accept_hours = 1, resolve_hours = 8 } }"
LEVEL = "sla_by_level = { county = { resolve_days = 10 } }"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (MINSHENG_SLA, "sla = { accept_hours = 24, accept_days = 1, resolve_days = 5, visit_days = 3 }", "categories[0].sla.accept_days"),
        (MINSHENG_SLA, "sla = { accept_hours = 24, resolve_weeks = 1, visit_days = 3 }", "categories[0].sla.resolve_weeks"),
        (MINSHENG_SLA, "sla = { accept_hours = 24, visit_days = 3 }", "categories[0].sla.resolve_days"),
        (URGENT, "sla_by_urgency = { someday = { resolve_days = 1 } }", "categories[0].sla_by_urgency.someday"),
        (URGENT, "sla_by_urgency = { normal = { resolve_days = 1 } }", "categories[0].sla_by_urgency.normal"),
        (LEVEL, "sla_by_level = { province = { resolve_days = 1 } }", "categories[0].sla_by_level.province"),
        (LEVEL, "sla_by_level = { county = { resolve_hours = 0 } }", "categories[0].sla_by_level.county.resolve_hours"),
        (MINSHENG_SLA, MINSHENG_SLA + '\nauto_escalate = "yes"', "categories[0].auto_escalate"),
        (MINSHENG_SLA, MINSHENG_SLA + "\nescalate_after_hours = -2", "categories[0].escalate_after_hours"),
    ],
)
def test_it_names_the_key_of_a_bad_limit(old, new, key):
    assert old in GOOD
    with pytest.raises(ConfigError) as err:
        parse_config(GOOD.replace(old, new, 1))
    assert key in err.value.message


@pytest.mark.django_db
def test_a_subcategory_inherits_limits_key_by_key(world):
    road = Category.objects.get(code="minsheng-road")  # sets no limits of its own
    assert sla.limit_for(road, "normal", "resolve") == sla.Limit(5, "d")
    assert sla.limit_for(road, "urgent", "accept") == sla.Limit(4, "h")
    assert sla.limit_for(road, "critical", "resolve") == sla.Limit(8, "h")
    assert sla.limit_for(road, "normal", "resolve", "county") == sla.Limit(10, "d")
    assert sla.limit_for(road, "urgent", "resolve", "county") == sla.Limit(2, "d"), "urgency wins over the tier"
    assert sla.limit_for(road, "urgent", "visit") == sla.Limit(3, "d"), "no urgent visit limit: the base one"


@pytest.mark.django_db
def test_a_child_overrides_one_phase_and_keeps_the_rest(world, tmp_path):
    from jiceng.cases.config import load_config

    text = GOOD.replace('parent = "minsheng"\nname = "道路交通"',
                        'parent = "minsheng"\nname = "道路交通"\nsla = { resolve_hours = 20 }\nsla_by_urgency = { urgent = { resolve_hours = 6 } }', 1)
    path = tmp_path / "county.toml"
    path.write_text(text, encoding="utf-8")
    load_config(path)
    road = Category.objects.get(code="minsheng-road")
    assert sla.limit_for(road, "normal", "resolve") == sla.Limit(20, "h")
    assert sla.limit_for(road, "normal", "accept") == sla.Limit(24, "h")
    assert sla.limit_for(road, "urgent", "resolve") == sla.Limit(6, "h")
    assert sla.limit_for(road, "urgent", "accept") == sla.Limit(4, "h")
    assert road.resolve_days == 4, "the summary column rounds working hours up to days"


@pytest.mark.django_db
def test_auto_escalation_is_inherited(world):
    assert Category.objects.get(code="jiufen-land").auto_escalate
    assert Category.objects.get(code="jiufen-land").escalate_after_hours == 13
    assert not Category.objects.get(code="minsheng-road").auto_escalate
