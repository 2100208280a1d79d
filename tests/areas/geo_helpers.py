"""Helpers for the geography tests: polygons of the stored geography, brute force."""

from __future__ import annotations

from shapely.geometry import shape

from jiceng.areas.models import Area


def village_polygons() -> dict[str, object]:
    return {code: shape(b) for code, b in Area.objects.filter(level="village", boundary__isnull=False).values_list("code", "boundary")}


def covering(polygons: dict[str, object], lon: float, lat: float) -> list[str]:
    from shapely.geometry import Point

    point = Point(lon, lat)
    return sorted(code for code, poly in polygons.items() if poly.covers(point))


def shared_vertex(polygons: dict[str, object]) -> tuple[tuple[float, float], list[str]]:
    """A vertex that two or more village polygons share exactly (a point on their border)."""
    seen: dict[tuple[float, float], set[str]] = {}
    for code, poly in sorted(polygons.items()):
        for ring in [poly.exterior] if poly.geom_type == "Polygon" else [p.exterior for p in poly.geoms]:
            for xy in ring.coords:
                seen.setdefault(xy, set()).add(code)
    for xy, codes in sorted(seen.items()):
        if len(codes) >= 2:
            return xy, sorted(codes)
    raise AssertionError("no shared vertex")
