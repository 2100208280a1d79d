"""The case configuration is data: validated whole, applied whole, or not at all."""

from __future__ import annotations

import pytest

from jiceng.areas.models import Unit
from jiceng.cases.config import DEFAULT_CONFIG, load_config, parse_config
from jiceng.cases.errors import ConfigError
from jiceng.cases.models import Category, RoutingRule
from jiceng.cases.routing import suggest_unit

pytestmark = pytest.mark.django_db

GOOD = DEFAULT_CONFIG.read_text(encoding="utf-8")


def test_the_default_configuration_covers_every_loop_of_the_seeds():
    data = parse_config(GOOD)
    tops = {c["code"] for c in data["categories"] if "parent" not in c}
    assert tops >= {"minsheng", "xinfang", "jiufen", "yinhuan", "yujing", "gengdi", "qiye", "fanpin", "xuncha"}


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('resolve_days = 5', 'resolve_days = 0'), "categories[0].sla.resolve_days"),
        (('county = "transport"', 'county = "nobody"'), "categories[1].routing.county"),
        (('county = "transport"', 'county = "village_committee"'), "categories[1].routing.county"),
        (('type = "choice", choices = ["一般", "较大", "重大"]', 'type = "choice"'), ".fields[0].choices"),
        (('parent = "minsheng"\nname = "道路交通"', 'parent = "nothing"\nname = "道路交通"'), "categories[1].parent"),
    ],
)
def test_it_names_the_key_of_a_bad_setting(change, key):
    old, new = change
    assert old in GOOD
    with pytest.raises(ConfigError) as err:
        parse_config(GOOD.replace(old, new, 1))
    assert key in err.value.message


def test_a_bad_file_changes_nothing(world, tmp_path):
    before = list(Category.objects.values_list("code", "resolve_days"))
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("resolve_days = 5", "resolve_days = 9", 1).replace('level = "county" }', 'level = "galaxy" }', 1), encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(bad)
    assert list(Category.objects.values_list("code", "resolve_days")) == before


def test_reloading_updates_limits_in_place(world, tmp_path):
    edited = tmp_path / "edited.toml"
    edited.write_text(GOOD.replace("resolve_days = 5", "resolve_days = 7", 1), encoding="utf-8")
    summary = load_config(edited)
    assert summary.created == 0 and summary.updated == summary.categories
    assert Category.objects.get(code="minsheng").resolve_days == 7


def test_a_routing_rule_overrides_the_default_for_its_area(world):
    cat = Category.objects.get(code="minsheng-road")
    village = world.villages[-1]
    assert suggest_unit(cat, village.code, "county") == world.unit("transport", world.county.code)
    housing = world.unit("housing", world.county.code)
    RoutingRule.objects.create(category=Category.objects.get(code="minsheng"), area_prefix=village.code[:9], level="county", unit=housing)
    assert suggest_unit(cat, village.code, "county") == housing
    other_township_village = world.villages[0]
    assert suggest_unit(cat, other_township_village.code, "county") == world.unit("transport", world.county.code)


def test_inactive_units_are_never_suggested(world):
    village = world.villages[-1]
    Unit.objects.filter(kind_id="village_committee", area=village).update(active=False)
    assert suggest_unit(Category.objects.get(code="minsheng-road"), village.code, "village") is None
