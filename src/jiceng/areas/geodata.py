"""Loading boundaries, centroids and landmarks from a GeoJSON FeatureCollection.

All or nothing: every feature is checked first, each problem is reported with the
feature's position, and nothing is written unless the whole file is good. See
docs/geography.md for the format.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from . import geo
from .geometry import inner_centroid, snapped, to_geojson
from .models import Area, AreaLevel, Grid, Landmark

AREA_TYPES = ("Polygon", "MultiPolygon", "Point")
LANDMARK_TYPES = ("Point",)

# GEOS explains invalid geometry in English; the common reasons in Chinese.
_GEOS_REASONS = {
    "Ring Self-intersection": "环自相交",
    "Self-intersection": "边界自相交",
    "Too few points": "点数太少",
    "Hole lies outside shell": "内环在外环之外",
    "Nested holes": "内环相互嵌套",
    "Interior is disconnected": "内部不连通",
    "Nested shells": "多边形相互嵌套",
    "Duplicate Rings": "环重复",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环未闭合",
}


class GeoDataError(ValueError):
    """The file cannot be loaded; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class _Target:
    index: int
    area: Area | None = None
    grid: Grid | None = None
    landmark: str = ""
    aliases: list[str] = field(default_factory=list)
    geom: BaseGeometry | None = None
    centroid: tuple[float, float] | None = None  # (lat, lon)


@dataclass
class LoadReport:
    areas: int = 0
    grids: int = 0
    landmarks: int = 0


def load_geojson(raw: bytes) -> LoadReport:
    """Check and load a FeatureCollection; raise GeoDataError (and write nothing) on any problem."""
    features = _parse(raw)
    errors: list[str] = []
    targets: list[_Target] = []
    seen: dict[str, int] = {}
    for i, feature in enumerate(features):
        problems: list[str] = []
        target = _check_feature(i, feature, problems, seen)
        errors += [_("Feature %(n)d (features[%(i)d]): %(problem)s") % {"n": i + 1, "i": i, "problem": p} for p in problems]
        if target is not None and not problems:
            targets.append(target)
    if errors:
        raise GeoDataError(errors)
    return _write(targets)


def _parse(raw: bytes) -> list:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GeoDataError([_("The file is not UTF-8 text (byte %(pos)d); save it as UTF-8.") % {"pos": exc.start}]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GeoDataError([_("The file is not valid JSON (near line %(line)d, column %(col)d).") % {"line": exc.lineno, "col": exc.colno}]) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise GeoDataError([_("The file must be a GeoJSON FeatureCollection with a list of features.")])
    if not data["features"]:
        raise GeoDataError([_("The file has no features.")])
    return data["features"]


def _check_feature(i: int, feature, problems: list[str], seen: dict[str, int]) -> _Target | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(_("not a GeoJSON Feature object"))
        return None
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        problems.append(_("properties must be an object"))
        return None
    target = _Target(index=i)
    landmark = props.get("landmark")
    code = props.get("code")
    if landmark is None and code in (None, ""):
        problems.append(_("neither a division or grid code (properties.code) nor a landmark name (properties.landmark)"))
        return None
    if code not in (None, ""):
        _resolve_code(str(code).strip(), target, problems)
    if landmark is not None:
        _check_landmark(props, target, problems)
    elif target.area or target.grid:
        key = target.area.code if target.area else f"grid:{target.grid.code}"
        if key in seen:
            problems.append(_("the code “%(code)s” is also used by feature %(n)d") % {"code": str(code), "n": seen[key] + 1})
        seen.setdefault(key, i)
    _check_geometry(feature.get("geometry"), target, problems, LANDMARK_TYPES if landmark is not None else AREA_TYPES)
    _check_centroid(props.get("centroid"), target, problems)
    return target


def _resolve_code(code: str, target: _Target, problems: list[str]) -> None:
    if code.isdigit() and len(code) in (6, 9, 12):
        target.area = Area.objects.filter(code=code.ljust(12, "0")).first()
        if target.area is not None:
            return
    target.grid = Grid.objects.select_related("area").filter(code=code).first()
    if target.grid is not None:
        return
    if not code.isdigit() or len(code) not in (6, 9, 12, 13, 14, 15, 16):
        problems.append(_("the code “%(code)s” is neither a 6-, 9- or 12-digit division code nor a grid code") % {"code": code})
    else:
        problems.append(_("no area or grid has the code “%(code)s”") % {"code": code})


def _check_landmark(props: dict, target: _Target, problems: list[str]) -> None:
    name, aliases = props.get("landmark"), props.get("aliases", [])
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 64:
        problems.append(_("the landmark name (properties.landmark) must be text of 1 to 64 characters"))
    else:
        target.landmark = name.strip()
    if not isinstance(aliases, list) or not all(isinstance(a, str) and 1 <= len(a.strip()) <= 64 for a in aliases):
        problems.append(_("the other names (properties.aliases) must be a list of names"))
    else:
        target.aliases = [a.strip() for a in aliases]
    if target.area is not None and target.area.level != AreaLevel.VILLAGE:
        problems.append(_("a landmark's code must be a village or community or a grid code"))


def _check_geometry(geometry, target: _Target, problems: list[str], allowed: tuple[str, ...]) -> None:
    if not isinstance(geometry, dict):
        problems.append(_("no geometry"))
        return
    kind = geometry.get("type")
    if kind not in allowed:
        problems.append(_("geometry type “%(type)s” is not allowed here; use %(allowed)s") % {"type": kind, "allowed": "、".join(allowed)})
        return
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.ShapelyError):
        problems.append(_("the geometry's coordinates are not valid GeoJSON"))
        return
    coords = shapely.get_coordinates(geom)
    if geom.is_empty or not np.isfinite(coords).all():
        problems.append(_("the geometry is empty or has coordinates that are not numbers"))
        return
    if (np.abs(coords[:, 0]) > 180).any() or (np.abs(coords[:, 1]) > 90).any():
        problems.append(_("coordinates out of range: WGS-84 longitude first, then latitude"))
        return
    if not geom.is_valid:
        problems.append(_("the geometry is invalid: %(reason)s") % {"reason": _geos_reason(shapely.is_valid_reason(geom))})
        return
    target.geom = geom if kind == "Point" else snapped(geom)
    if target.geom.is_empty:  # smaller than the 1e-7° grid the geography is kept on
        problems.append(_("the geometry is too small (under about a centimetre across)"))
        target.geom = None


def _geos_reason(reason: str) -> str:
    for english, chinese in _GEOS_REASONS.items():
        if reason.startswith(english):
            where = reason[len(english):].strip("[] ")
            return f"{chinese}（位置 {where}）" if where else chinese
    return reason


def _check_centroid(value, target: _Target, problems: list[str]) -> None:
    if value is None:
        return
    if (not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in value)
            or abs(value[0]) > 180 or abs(value[1]) > 90):
        problems.append(_("the centroid (properties.centroid) must be [longitude, latitude] in WGS-84"))
        return
    if target.geom is not None and target.geom.geom_type != "Point" and not target.geom.covers(Point(value)):
        problems.append(_("the centroid (properties.centroid) lies outside the boundary"))
        return
    target.centroid = (float(value[1]), float(value[0]))


@transaction.atomic
def _write(targets: list[_Target]) -> LoadReport:
    report = LoadReport()
    for t in targets:
        if t.landmark or (t.area is None and t.grid is None):
            continue
        obj = t.area or t.grid
        if t.geom.geom_type == "Point":
            obj.centroid_lat, obj.centroid_lon = t.centroid or (t.geom.y, t.geom.x)
        else:
            obj.boundary = to_geojson(t.geom)
            obj.centroid_lat, obj.centroid_lon = t.centroid or inner_centroid(t.geom)
        obj.save(update_fields=["boundary", "centroid_lat", "centroid_lon"])
        if t.area is not None:
            report.areas += 1
        else:
            report.grids += 1
    geo.bump_geo_version()
    errors = [msg for t in targets if t.landmark for msg in [_write_landmark(t)] if msg]
    if errors:
        raise GeoDataError(errors)  # rolls back the boundaries written above
    report.landmarks = sum(1 for t in targets if t.landmark)
    geo.bump_geo_version()
    return report


def _write_landmark(t: _Target) -> str:
    """Save one landmark; a message if it cannot be placed in a village."""
    lat, lon = t.geom.y, t.geom.x
    village, grid = (t.grid.area, t.grid) if t.grid else (t.area, None)
    if village is None:
        found = geo.locate_codes(lat, lon)
        if found is None:
            return _("Feature %(n)d (features[%(i)d]): %(problem)s") % {
                "n": t.index + 1, "i": t.index,
                "problem": _("the landmark lies in no village's boundary; give its village or grid code (properties.code)")}
        village = Area.objects.get(code=found[0])
        grid = Grid.objects.filter(id=found[1]).first() if found[1] else None
    elif grid is None:
        found = geo.locate_codes(lat, lon)
        if found and found[0] == village.code and found[1]:
            grid = Grid.objects.get(id=found[1])
    Landmark.objects.update_or_create(area=village, name=t.landmark, defaults={"aliases": t.aliases, "grid": grid, "lat": lat, "lon": lon})
    return ""
