"""The registry: areas as a tree, grids and units, validated by Model.clean()."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.areas.models import Area, Grid, Unit

pytestmark = pytest.mark.django_db


def test_everything_under_a_county_is_one_indexed_query(world):
    township = world.townships[0]
    with CaptureQueriesContext(connection) as ctx:
        codes = [a.code for a in world.county.subtree()]
    assert len(ctx.captured_queries) == 1
    assert "LIKE" not in ctx.captured_queries[0]["sql"]  # a range scan, not a pattern match
    assert set(codes) == {world.county.code} | {t.code for t in world.townships} | {v.code for v in world.villages}
    assert {a.code for a in township.subtree()} == {township.code} | {v.code for v in world.villages if v.parent_id == township.code}


def test_an_area_names_its_ancestors(world):
    village = world.villages[0]
    assert [a.level for a in village.ancestors()] == ["province", "prefecture", "county", "township"]
    assert village.full_name().startswith("零陵区")


def test_it_rejects_an_area_whose_code_disagrees_with_its_parent(world):
    other_township = world.townships[1]
    area = Area(code=world.townships[0].code[:9] + "299", name="错位村", level="village", parent=other_township)
    with pytest.raises(ValidationError) as err:
        area.full_clean()
    assert "code" in err.value.message_dict


def test_it_rejects_a_grid_outside_a_village(world):
    grid = Grid(code=world.townships[0].code + "001", name="错误网格", area=world.townships[0])
    with pytest.raises(ValidationError) as err:
        grid.full_clean()
    assert "area" in err.value.message_dict


def test_it_rejects_a_unit_serving_an_area_of_the_wrong_level(world):
    unit = Unit(code="bad-unit", name="错误单位", kind_id="civil_affairs", level="county", area=world.townships[0])
    with pytest.raises(ValidationError) as err:
        unit.full_clean()
    assert "area" in err.value.message_dict


def test_the_demo_registry_has_grids_units_and_every_role(world):
    village = world.villages[0]
    assert village.grids.count() >= 2
    assert village.grids.first().workers.exists()
    assert Unit.objects.filter(area=village, kind_id="village_committee").exists()
    roles = {u.role for u in world.users.values()}
    assert roles >= {"resident", "grid_worker", "village_staff", "township_staff", "county_handler", "supervisor", "auditor", "admin"}
