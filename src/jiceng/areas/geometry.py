"""Small geometry helpers shared by the GeoJSON loader and the demo geography."""

from __future__ import annotations

import json

import shapely
from shapely.geometry.base import BaseGeometry

# 1e-7 degrees is about 1 cm: finer than any survey a county holds, coarse enough that
# neighbouring polygons computed separately snap to the same shared vertices.
GRID_SIZE = 1e-7


def to_geojson(geom: BaseGeometry) -> dict:
    """GeoJSON geometry as plain JSON data (lists, not tuples), longitude first."""
    return json.loads(shapely.to_geojson(geom))


def inner_centroid(geom: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) of the centroid, or of a point on the surface when the centroid falls outside.

    A concave village's centroid can lie in its neighbour; the centroid stored for an
    area is always inside the area, so locating it gives the area back.
    """
    point = geom.centroid
    if not geom.covers(point):
        point = geom.point_on_surface()
    return (round(point.y, 7), round(point.x, 7))


def snapped(geom: BaseGeometry) -> BaseGeometry:
    """The geometry on the 1e-7° grid, still valid."""
    return shapely.set_precision(geom, GRID_SIZE)
