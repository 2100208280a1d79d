"""Every point of the county lies in exactly one village (borders by the smallest-code rule)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, shape

from jiceng.areas import geo

from .geo_helpers import village_polygons

pytestmark = pytest.mark.django_db

unit = st.floats(min_value=0.0, max_value=1.0)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit, unit)
def test_every_point_inside_the_county_maps_to_exactly_one_village(world, fx, fy):
    county = shape(world.county.boundary)
    minx, miny, maxx, maxy = county.bounds
    lon, lat = minx + (maxx - minx) * fx, miny + (maxy - miny) * fy
    point = Point(lon, lat)
    assume(county.covers(point))
    polygons = village_polygons()
    found = geo.locate_codes(lat, lon)
    assert found is not None
    assert polygons[found[0]].covers(point)
    # no overlaps: at most one village has the point strictly inside
    assert sum(1 for poly in polygons.values() if poly.contains(point)) <= 1
    covering = sorted(code for code, poly in polygons.items() if poly.covers(point))
    assert found[0] == covering[0]
