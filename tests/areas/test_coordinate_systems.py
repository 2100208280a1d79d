"""GCJ-02 (what Chinese phone maps report) and BD-09 input, converted to WGS-84 before locating."""

from __future__ import annotations

import math

import coordTransform
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.areas import geo

from .geo_helpers import village_polygons

china_lat = st.floats(min_value=18.0, max_value=53.0)
china_lon = st.floats(min_value=74.0, max_value=134.0)


@settings(max_examples=300, deadline=None)
@given(china_lat, china_lon)
def test_gcj02_round_trip_is_within_a_millimetre(lat, lon):
    g_lon, g_lat = coordTransform.wgs84_to_gcj02(lon, lat)
    back = geo.to_wgs84(g_lat, g_lon, "gcj02")
    metres = math.hypot((back[1] - lon) * 111_320 * math.cos(math.radians(lat)), (back[0] - lat) * 110_574)
    assert metres < 0.001


def test_the_gcj02_shift_near_lingling_is_hundreds_of_metres():
    g_lon, g_lat = coordTransform.wgs84_to_gcj02(111.6, 26.2)
    metres = math.hypot((g_lon - 111.6) * 111_320 * math.cos(math.radians(26.2)), (g_lat - 26.2) * 110_574)
    assert 300 < metres < 1000  # why a GCJ-02 point read as WGS-84 lands in the wrong village


@pytest.mark.parametrize("lat, lon", [(48.85, 2.35), (40.7, -74.0), (-33.9, 151.2), (60.0, 100.0)])
def test_chinese_datums_outside_china_give_none_rather_than_a_guess(lat, lon):
    assert geo.to_wgs84(lat, lon, "gcj02") is None
    assert geo.to_wgs84(lat, lon, "bd09") is None
    assert geo.to_wgs84(lat, lon, "wgs84") == (lat, lon)


def test_bd09_is_converted_through_gcj02():
    g_lon, g_lat = coordTransform.wgs84_to_gcj02(111.6, 26.2)
    b_lon, b_lat = coordTransform.gcj02_to_bd09(g_lon, g_lat)
    lat, lon = geo.to_wgs84(b_lat, b_lon, "bd09")
    assert abs(lat - 26.2) < 2e-5 and abs(lon - 111.6) < 2e-5  # BD-09's inverse is itself approximate (~1 m)


@pytest.mark.django_db
def test_a_gcj02_point_whose_shift_crosses_a_border_goes_to_the_right_village(world):
    """Read as WGS-84, the phone's GCJ-02 point falls in the neighbouring village; converted, it does not."""
    polygons = village_polygons()
    case = None
    for code, poly in sorted(polygons.items()):
        minx, miny, maxx, maxy = poly.bounds
        for i in range(1, 30):
            for j in range(1, 30):
                lon, lat = minx + (maxx - minx) * i / 30, miny + (maxy - miny) * j / 30
                found = geo.locate_codes(lat, lon)
                if found is None or found[0] != code:
                    continue
                g_lon, g_lat = coordTransform.wgs84_to_gcj02(lon, lat)
                naive = geo.locate_codes(g_lat, g_lon)
                if naive is not None and naive[0] != code:
                    case = (code, lat, lon, g_lat, g_lon, naive[0])
                    break
            if case:
                break
        if case:
            break
    assert case is not None, "the demo county has no point whose GCJ-02 shift crosses a border"
    code, lat, lon, g_lat, g_lon, wrong = case
    assert geo.locate(g_lat, g_lon).village.code == wrong  # what a server that ignores the datum would do
    loc = geo.locate(g_lat, g_lon, crs="gcj02")
    assert loc.village.code == code
    assert abs(loc.lat - lat) < 1e-7 and abs(loc.lon - lon) < 1e-7
