"""Benchmark locate(): point-in-polygon with an STRtree, beside a brute-force loop in the same run.

Builds the demo county (no cases) in a fresh SQLite (or the given) database, then, for
2,000 random points in the county's bounding box (about two thirds inside):
- ``locate()`` per call (stamp check + STRtree + fetching the Area and Grid rows);
- ``locate_codes()`` per call (stamp check + STRtree, no row fetch);
- the STRtree query alone;
- the baseline: a loop testing every village polygon with ``covers`` (no index);
at the demo size and again with ten times as many villages (synthetic Voronoi cells in
the same outline, written to the database so ``locate()`` runs unchanged).

Usage: python bench/geo.py [--points N] [--database-url URL] [--write]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _per_call(fn, points) -> tuple[float, float]:
    """Median and p95 in microseconds of ``fn(lat, lon)`` over ``points``."""
    times = []
    for lat, lon in points:
        t = time.perf_counter()
        fn(lat, lon)
        times.append(time.perf_counter() - t)
    times.sort()
    return statistics.median(times) * 1e6, times[int(len(times) * 0.95) - 1] * 1e6


def measure(n_points: int = 2000, scale: int = 10) -> list[tuple[str, str, str, str]]:
    """Rows for the benchmark table; needs Django set up on a database holding the demo county."""
    from shapely.geometry import Point, shape

    from jiceng.areas import geo
    from jiceng.areas.models import Area

    def brute(polys):
        def run(lat, lon):
            point = Point(lon, lat)
            hits = [code for code, poly in polys if poly.covers(point)]
            return min(hits) if hits else None
        return run

    county = Area.objects.get(level="county")
    outline = shape(county.boundary)
    minx, miny, maxx, maxy = outline.bounds
    rng = random.Random(1)
    points = [(rng.uniform(miny, maxy), rng.uniform(minx, maxx)) for _ in range(n_points)]
    inside = sum(1 for lat, lon in points if outline.covers(Point(lon, lat)))

    rows = [_measure_addresses(rng)]
    for label in ("demo", f"{scale}×"):
        if label != "demo":
            _replace_with_synthetic_villages(county, outline, scale * n_villages, rng)
        polys = [(c, shape(b)) for c, b in Area.objects.filter(level="village", boundary__isnull=False).values_list("code", "boundary")]
        n_villages = len(polys)
        geo.locate(points[0][0], points[0][1])  # build the index outside the timings
        for lat, lon in points[:200]:  # the index and the baseline agree
            assert (geo.locate_codes(lat, lon) or (None,))[0] == brute(polys)(lat, lon)
        size = f"{n_villages:,} villages, {n_points:,} points ({inside:,} inside)"
        index = geo._index()

        def tree_only(lat, lon):
            return index.tree.query(Point(lon, lat), predicate="intersects")

        for name, fn in (("locate()", geo.locate), ("locate_codes() (stamp check, no row fetch)", geo.locate_codes),
                         ("STRtree query alone", tree_only), ("baseline: covers() loop over all villages", brute(polys))):
            med, p95 = _per_call(fn, points)
            rows.append((f"{name} · {label}", size, f"median {med:,.0f} µs", f"p95 {p95:,.0f} µs"))
    return rows


def _measure_addresses(rng: random.Random) -> tuple[str, str, str, str]:
    """match_address() for texts naming a village and one of its landmarks, with extra words."""
    from jiceng.areas import geo
    from jiceng.areas.models import Landmark

    marks = list(Landmark.objects.select_related("area").order_by("id"))
    texts = [f"我家在{m.area.name}{m.name}旁边，{rng.choice(['路灯坏了', '水沟堵了', '有人乱倒垃圾'])}" for m in rng.sample(marks, min(500, len(marks)))]
    geo.match_address(texts[0])
    placed = sum(1 for t in texts if geo.match_address(t) is not None)
    times = []
    for text in texts:
        t = time.perf_counter()
        geo.match_address(text)
        times.append(time.perf_counter() - t)
    times.sort()
    return ("match_address() · demo", f"{len(marks):,} landmarks, {len(texts)} addresses ({placed} placed)",
            f"median {statistics.median(times) * 1e6:,.0f} µs", f"p95 {times[int(len(times) * 0.95) - 1] * 1e6:,.0f} µs")


def _replace_with_synthetic_villages(county, outline, count: int, rng: random.Random) -> None:
    """``count`` villages as Voronoi cells in the county outline, in place of the demo's."""
    import shapely
    from django.db import transaction
    from shapely.geometry import MultiPoint, Point

    from jiceng.areas.geo import bump_geo_version
    from jiceng.areas.geometry import inner_centroid, snapped, to_geojson
    from jiceng.areas.models import Area

    minx, miny, maxx, maxy = outline.bounds
    seeds = []
    while len(seeds) < count:
        p = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if outline.contains(Point(p)):
            seeds.append(p)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.envelope.buffer(0.1), ordered=True)
    townships = list(Area.objects.filter(level="township").order_by("code"))
    rows = []
    for i, cell in enumerate(cells.geoms):
        geom = snapped(cell.intersection(outline))
        township = townships[i % len(townships)]
        lat, lon = inner_centroid(geom)
        rows.append(Area(code=f"{township.code[:9]}{500 + i // len(townships):03d}", name=f"合成村{i}", level="village",
                         parent=township, boundary=to_geojson(geom), centroid_lat=lat, centroid_lon=lon))
    with transaction.atomic():
        Area.objects.filter(level="village").update(boundary=None)
        Area.objects.bulk_create(rows, batch_size=200)
        bump_geo_version()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--write", action="store_true", help="add the figures to docs/benchmarks.md")
    args = parser.parse_args()
    os.environ["JICENG_DATA_DIR"] = tempfile.mkdtemp(prefix="jiceng-bench-geo-")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    jiceng = [sys.executable, "-m", "jiceng.cli"]
    subprocess.run([*jiceng, "migrate", "-v0"], check=True)
    t0 = time.perf_counter()
    subprocess.run([*jiceng, "seed-demo", "--cases", "0", "--seed", "1"], check=True, stdout=subprocess.DEVNULL)
    world_s = time.perf_counter() - t0

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from django.db import connection

    rows = [("seed-demo --cases 0 (registry, users and geography)", "15 townships", f"{world_s:.1f} s", "")] + measure(args.points)
    header = (f"## {date.today()} · geography · {connection.vendor} · {platform.processor() or platform.machine()} · "
              f"{os.cpu_count()} cores (shared with other jobs) · Python {platform.python_version()}\n\n"
              "`python bench/geo.py`: time per call for random points in the county's bounding box.\n\n")
    table = "| benchmark | size | time | p95 |\n|---|---|---|---|\n" + "".join(f"| {a} | {b} | {c} | {d} |\n" for a, b, c, d in rows)
    print(header + table)
    if args.write:
        out = ROOT / "docs" / "benchmarks.md"
        text = out.read_text(encoding="utf-8")
        first = text.find("\n## ")
        out.write_text(text[: first + 1] + header + table + text[first:], encoding="utf-8")


if __name__ == "__main__":
    main()
