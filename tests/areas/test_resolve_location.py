"""resolve_location(): address_id, then lat/lon, then address_string — the intake adapters' one call."""

from __future__ import annotations

import coordTransform
import pytest

from jiceng.areas import geo
from jiceng.areas.models import Grid

pytestmark = pytest.mark.django_db


def test_a_village_code_wins_over_coordinates_and_address(world):
    a, b = world.villages[0], world.villages[1]
    loc = geo.resolve_location(address_id=a.code, lat=b.centroid_lat, lon=b.centroid_lon, address_string=b.name)
    assert loc.village == a and loc.by is geo.LocatedBy.ADDRESS_ID and loc.grid is None


def test_a_grid_code_gives_the_grid_and_its_village(world):
    grid = Grid.objects.filter(area=world.villages[2]).first()
    loc = geo.resolve_location(address_id=f" {grid.code} ")
    assert loc.village == world.villages[2] and loc.grid == grid


@pytest.mark.parametrize("bad_id", ["431102999999", "431102001000", "abc", "431102"])
def test_an_unknown_or_non_village_code_falls_back_to_the_point(world, bad_id):
    b = world.villages[1]
    loc = geo.resolve_location(address_id=bad_id, lat=b.centroid_lat, lon=b.centroid_lon)
    assert loc.village == b and loc.by is geo.LocatedBy.POINT


def test_coordinates_win_over_the_address(world):
    a, b = world.villages[0], world.villages[1]
    loc = geo.resolve_location(lat=a.centroid_lat, lon=a.centroid_lon, address_string=b.name)
    assert loc.village == a and loc.lat == a.centroid_lat


def test_gcj02_coordinates_are_converted(world):
    a = world.villages[0]
    g_lon, g_lat = coordTransform.wgs84_to_gcj02(a.centroid_lon, a.centroid_lat)
    loc = geo.resolve_location(lat=g_lat, lon=g_lon, crs="gcj02")
    assert loc.village == a and abs(loc.lat - a.centroid_lat) < 1e-7


def test_a_point_outside_the_county_falls_back_to_the_address(world):
    b = world.villages[1]
    loc = geo.resolve_location(lat=39.9, lon=116.4, address_string=f"{b.name}门口")
    assert loc.village == b and loc.by is geo.LocatedBy.ADDRESS


def test_nothing_that_places_the_report_gives_none(world):
    assert geo.resolve_location() is None
    assert geo.resolve_location(lat=39.9, lon=116.4, address_string="北京市东城区") is None
    assert geo.resolve_location(lat=26.2, lon=None, address_string="") is None


def test_an_unknown_coordinate_system_is_the_adapters_error(world):
    with pytest.raises(geo.UnknownCRS):
        geo.resolve_location(lat=26.2, lon=111.6, crs="mercator")
