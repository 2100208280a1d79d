"""Plausible generated geography for the demo county, so maps and location work out of the box.

A wobbly county outline near the real 零陵区 (26.2°N, 111.6°E), township seeds (streets
near the centre, towns around them), village seeds sampled inside each township's
region, village cells as Voronoi polygons of all village seeds clipped to the outline,
townships as unions of their villages, grids as Voronoi cells inside their village, and
a few landmarks per village with names the demo texts use (村部, 后山, 河堤 …).

Deterministic for a seed, and drawn from its own random stream so adding geography
does not change the rest of the demo data.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

import shapely
from shapely.geometry import MultiPoint, Point, Polygon

from jiceng.areas import codes
from jiceng.areas.geo import bump_geo_version
from jiceng.areas.geometry import inner_centroid, snapped, to_geojson
from jiceng.areas.models import Area, Grid, Landmark

from . import names

if TYPE_CHECKING:
    from .world import World

CENTRE = (26.22, 111.62)  # (lat, lon), near the real 零陵区
RADIUS_LAT = 0.2  # about 22 km north–south

VILLAGE_LANDMARKS = [("村部", ["村委会", "村委", "村支部"]), ("卫生室", ["村卫生室", "诊所"]), ("后山", []), ("河堤", ["河坝"])]
COMMUNITY_LANDMARKS = [("社区服务中心", ["居委会", "社区居委会"]), ("农贸市场", ["菜市场"]), ("文化广场", ["广场"])]


def county_outline(rng: random.Random) -> Polygon:
    """A star-shaped outline whose radius wobbles with a few random harmonics."""
    harmonics = [(k, rng.uniform(0.03, 0.08), rng.uniform(0, 2 * math.pi)) for k in range(2, 6)]
    lon_scale = 1 / math.cos(math.radians(CENTRE[0]))
    points = []
    for i in range(72):
        theta = 2 * math.pi * i / 72
        r = RADIUS_LAT * (1 + sum(a * math.sin(k * theta + phase) for k, a, phase in harmonics))
        points.append((CENTRE[1] + r * math.cos(theta) * lon_scale * 0.9, CENTRE[0] + r * math.sin(theta)))
    return snapped(Polygon(points))


def _sample(rng: random.Random, region, count: int, min_dist: float, taken: list[tuple[float, float]] | None = None) -> list[tuple[float, float]]:
    """``count`` points inside ``region``, kept ``min_dist`` apart when possible."""
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)  # many containment tests follow
    out: list[tuple[float, float]] = []
    others = list(taken or [])
    tries = 0
    while len(out) < count:
        tries += 1
        p = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if not region.contains(Point(p)):
            continue
        spacing = min_dist if tries < 400 * count else 0  # give up spacing rather than loop forever
        if all(math.dist(p, q) >= spacing for q in others + out):
            out.append(p)
    return out


def _cells(seeds: list[tuple[float, float]], clip) -> list:
    """Voronoi cells of ``seeds`` (in seed order) clipped to ``clip``, on the 1e-7° grid."""
    if len(seeds) == 1:
        return [clip]
    diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=clip.envelope.buffer(0.1), ordered=True)
    return [snapped(cell.intersection(clip)) for cell in diagram.geoms]


def _is_street(township: Area) -> bool:
    return codes.township_kind(township.code) == "街道"


def build_geography(world: "World", seed: int = 1) -> None:
    """Give the world's county, townships, villages and grids boundaries, and add landmarks."""
    rng = random.Random(f"geography-{seed}")
    outline = county_outline(rng)
    core = outline.intersection(Point(CENTRE[1], CENTRE[0]).buffer(RADIUS_LAT * 0.3))
    streets = [t for t in world.townships if _is_street(t)]
    towns = [t for t in world.townships if not _is_street(t)]
    seeds = _sample(rng, core, len(streets), RADIUS_LAT * 0.08)
    seeds += _sample(rng, outline.difference(core), len(towns), RADIUS_LAT * 0.25, taken=seeds)
    township_cells = dict(zip([t.code for t in streets + towns], _cells(seeds, outline)))

    villages_of = {t.code: [v for v in world.villages if v.parent_id == t.code] for t in world.townships}
    village_seeds: list[tuple[float, float]] = []
    ordered_villages: list[Area] = []
    for township in world.townships:
        cell = township_cells[township.code]
        members = villages_of[township.code]
        spacing = math.sqrt(cell.area / max(len(members), 1)) * 0.5
        village_seeds += _sample(rng, cell, len(members), spacing, taken=village_seeds)
        ordered_villages += members
    village_geoms = dict(zip([v.code for v in ordered_villages], _cells(village_seeds, outline)))

    grids_to_save: list[Grid] = []
    grid_geoms: dict[int, object] = {}
    for village in ordered_villages:
        geom = village_geoms[village.code]
        _set_geometry(village, geom)
        grids = world.grids_by_village.get(village.code, [])
        if grids:
            spacing = math.sqrt(geom.area / len(grids)) * 0.4
            for grid, cell in zip(grids, _cells(_sample(rng, geom, len(grids), spacing), geom)):
                _set_geometry(grid, cell)
                grid_geoms[grid.id] = cell
                grids_to_save.append(grid)
    for township in world.townships:
        _set_geometry(township, snapped(shapely.unary_union([village_geoms[v.code] for v in villages_of[township.code]])))
    _set_geometry(world.county, snapped(shapely.unary_union(list(village_geoms.values()))))

    fields = ["centroid_lat", "centroid_lon", "boundary"]
    Area.objects.bulk_update([world.county, *world.townships, *ordered_villages], fields, batch_size=50)
    Grid.objects.bulk_update(grids_to_save, fields, batch_size=50)
    _landmarks(world, rng, village_geoms, grid_geoms)
    bump_geo_version()


def _set_geometry(obj: Area | Grid, geom) -> None:
    obj.centroid_lat, obj.centroid_lon = inner_centroid(geom)
    obj.boundary = to_geojson(geom)


def _landmarks(world: "World", rng: random.Random, village_geoms: dict, grid_geoms: dict[int, object]) -> None:
    existing = set(Landmark.objects.filter(area__in=world.villages).values_list("area_id", "name"))
    schools = _schools_by_village(world)
    new: list[Landmark] = []
    for village in world.villages:
        community = codes.village_kind(village.code) == "社区"
        stem = village.name.removesuffix("社区").removesuffix("村")
        specs = list(COMMUNITY_LANDMARKS if community else VILLAGE_LANDMARKS)
        if not community:
            specs.append((stem + ("大桥" if stem.endswith("桥") else "桥"), []))
        specs += [(school, []) for school in schools.get(village.code, [])]
        grids = world.grids_by_village.get(village.code, [])
        for name, aliases in specs:
            if (village.code, name) in existing:
                continue
            lon, lat = _sample(rng, village_geoms[village.code], 1, 0)[0]
            point = Point(lon, lat)
            covering = [g for g in grids if g.id in grid_geoms and grid_geoms[g.id].covers(point)]
            new.append(Landmark(name=name, aliases=aliases, area=village, grid=min(covering, key=lambda g: g.code) if covering else None,
                                lat=round(lat, 7), lon=round(lon, 7)))
    Landmark.objects.bulk_create(new)


def _stem(township_name: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        if township_name.endswith(suffix):
            return township_name[: -len(suffix)]
    return township_name


def _schools_by_village(world: "World") -> dict[str, list[str]]:
    """Each demo school goes to the first village of the township it names (区 schools to the first street)."""
    out: dict[str, list[str]] = {}
    for school in names.SCHOOLS:
        township = next((t for t in world.townships if school.startswith(_stem(t.name))), None)
        if township is None and school.startswith(world.county.name):
            township = next((t for t in world.townships if _is_street(t)), None)
        if township is None:
            continue
        village = next((v for v in world.villages if v.parent_id == township.code), None)
        if village is not None:
            out.setdefault(village.code, []).append(school)
    return out
