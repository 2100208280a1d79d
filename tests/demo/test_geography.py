"""The demo county's generated geography: plausible, consistent and deterministic."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import Point, shape

from jiceng.areas import geo
from jiceng.areas.models import Area, Grid, Landmark
from jiceng.demo.geography import CENTRE, build_geography, county_outline

pytestmark = pytest.mark.django_db


def test_the_county_lies_near_the_real_lingling(world):
    county = shape(world.county.boundary)
    assert county.is_valid and county.geom_type == "Polygon"
    assert abs(world.county.centroid_lat - CENTRE[0]) < 0.1 and abs(world.county.centroid_lon - CENTRE[1]) < 0.1
    assert county.covers(Point(world.county.centroid_lon, world.county.centroid_lat))


def test_villages_tile_their_township_and_the_county(world):
    county = shape(world.county.boundary)
    villages = {v.code: shape(Area.objects.get(code=v.code).boundary) for v in world.villages}
    assert all(p.is_valid and p.area > 0 for p in villages.values())
    assert abs(sum(p.area for p in villages.values()) - county.area) < 1e-9  # no overlaps, no gaps
    for township in world.townships:
        union = shapely.unary_union([p for code, p in villages.items() if code.startswith(township.code[:9])])
        assert shape(Area.objects.get(code=township.code).boundary).symmetric_difference(union).area < 1e-9


def test_every_centroid_lies_in_its_own_area(world):
    for village in Area.objects.filter(code__in=[v.code for v in world.villages]):
        assert geo.locate_codes(village.centroid_lat, village.centroid_lon)[0] == village.code
    for grid in Grid.objects.filter(area__in=world.villages):
        assert shape(grid.boundary).covers(Point(grid.centroid_lon, grid.centroid_lat))
        assert shape(grid.boundary).within(shape(grid.area.boundary).buffer(1e-7))


def test_landmarks_lie_in_their_village_and_grid(world):
    marks = list(Landmark.objects.filter(area__in=world.villages))
    assert len(marks) >= 3 * len(world.villages)
    for mark in marks:
        found = geo.locate_codes(mark.lat, mark.lon)
        assert found[0] == mark.area_id
        assert mark.grid is None or found[1] == mark.grid_id


def test_the_geography_is_the_same_for_the_same_seed(world):
    before = list(Area.objects.order_by("code").values_list("code", "boundary", "centroid_lat", "centroid_lon"))
    marks = list(Landmark.objects.order_by("area_id", "name").values_list("area_id", "name", "lat", "lon"))
    build_geography(world, seed=7)
    assert list(Area.objects.order_by("code").values_list("code", "boundary", "centroid_lat", "centroid_lon")) == before
    assert list(Landmark.objects.order_by("area_id", "name").values_list("area_id", "name", "lat", "lon")) == marks  # reused, not doubled


def test_another_seed_gives_another_outline():
    import random

    assert county_outline(random.Random("geography-1")).symmetric_difference(county_outline(random.Random("geography-2"))).area > 1e-4
