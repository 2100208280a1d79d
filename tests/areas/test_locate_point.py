"""locate(): a WGS-84 point to its village and grid by point-in-polygon."""

from __future__ import annotations

import pytest
from shapely.geometry import Point, shape

from jiceng.areas import geo
from jiceng.areas.models import Area, Grid

from .geo_helpers import covering, shared_vertex, village_polygons

pytestmark = pytest.mark.django_db


def test_a_point_inside_a_village_gives_that_village_and_its_grid(world):
    for village in world.villages:
        loc = geo.locate(village.centroid_lat, village.centroid_lon)
        assert loc is not None and loc.village.code == village.code
        assert loc.by is geo.LocatedBy.POINT
        grid_polys = {g.code: shape(g.boundary) for g in Grid.objects.filter(area=village)}
        inside = [c for c, p in grid_polys.items() if p.covers(Point(village.centroid_lon, village.centroid_lat))]
        assert loc.grid is not None and loc.grid.code == min(inside)


def test_each_grid_centroid_gives_its_grid(world):
    for grid in Grid.objects.filter(area__in=world.villages):
        loc = geo.locate(grid.centroid_lat, grid.centroid_lon)
        assert loc.village.code == grid.area_id and loc.grid == grid


def test_a_point_on_a_shared_border_goes_to_the_smallest_code(world):
    polygons = village_polygons()
    (lon, lat), codes = shared_vertex(polygons)
    assert covering(polygons, lon, lat) == codes and len(codes) >= 2
    assert geo.locate(lat, lon).village.code == codes[0]


def test_points_outside_the_county_are_not_placed(world):
    county = shape(world.county.boundary)
    minx, miny, maxx, maxy = county.bounds
    assert geo.locate(miny - 0.01, minx - 0.01) is None
    assert geo.locate(39.9, 116.4) is None  # Beijing
    assert geo.locate(maxy + 0.001, (minx + maxx) / 2) is None


@pytest.mark.parametrize("lat, lon", [(float("nan"), 111.6), (26.2, float("inf")), (95.0, 111.6), (26.2, 200.0), ("abc", 111.6), (None, 111.6)])
def test_nonsense_coordinates_are_not_placed(world, lat, lon):
    assert geo.locate(lat, lon) is None


def test_an_unknown_coordinate_system_is_an_error(world):
    with pytest.raises(geo.UnknownCRS, match="未知的坐标系"):
        geo.locate(26.2, 111.6, crs="utm")


def test_without_boundaries_nothing_is_placed_by_point(world):
    Area.objects.update(boundary=None)
    geo.bump_geo_version()
    village = world.villages[0]
    assert geo.locate(village.centroid_lat, village.centroid_lon) is None


def test_the_index_follows_a_change_made_elsewhere(world):
    """Another process's load-geo bumps the stamp; this process rebuilds before the next lookup."""
    a, b = world.villages[0], world.villages[1]
    assert geo.locate(a.centroid_lat, a.centroid_lon).village == a
    # swap two villages' boundaries behind the model's back (as another process would), then bump
    Area.objects.filter(code=a.code).update(boundary=b.boundary)
    Area.objects.filter(code=b.code).update(boundary=a.boundary)
    assert geo.locate(a.centroid_lat, a.centroid_lon).village == a  # stale until the stamp changes
    from jiceng.areas.models import GeoStamp

    GeoStamp.objects.filter(id=1).update(token="from-another-process")
    assert geo.locate(a.centroid_lat, a.centroid_lon).village == b
