"""Where is it? Placing a report in a village (and grid) from a point, an address or a code.

``resolve_location`` is the one entry point intake adapters call. It tries, in order:

1. ``address_id`` — a 12-digit village code or a grid code;
2. ``lat``/``lon`` — point-in-polygon against the villages' boundaries (WGS-84; GCJ-02
   or BD-09 converted first when the client says so);
3. ``address_string`` — matched against the names of townships, villages, grids and
   landmarks of the registry.

Each returns a :class:`Location` or None; None means "cannot be placed" and the caller
queues the report for a dispatcher to place — it never guesses.

The spatial index (a shapely ``STRtree`` over the village polygons) and the name index
are built once per process and rebuilt when the geography changes: writers of geography
call :func:`bump_geo_version` (one row, :class:`~jiceng.areas.models.GeoStamp`), and any
save or delete of an area, grid or landmark in this process bumps a local counter. A
lookup reads the stamp (one primary-key query) and compares.

Border rule: boundaries are closed, so a point on the border between two villages (or
on a shared corner) is covered by each of them; it is placed in the one with the
**smallest division code**. Grids within a village follow the same rule by grid code.
A point on the county's outer border belongs to the village whose border it is on.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
import uuid
from dataclasses import dataclass, field
from enum import Enum

import coordTransform
import shapely
from django.db import connection
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape

from .codes import Level
from .models import Area, AreaLevel, GeoStamp, Grid, Landmark


class LocatedBy(str, Enum):
    """How a location was found, for the case record and the dispatcher."""

    ADDRESS_ID = "address_id"
    POINT = "point"
    ADDRESS = "address"


@dataclass(frozen=True)
class Location:
    """A village (always), maybe a grid and a landmark, and how they were found.

    ``lat``/``lon`` are the WGS-84 point that was used (after converting from GCJ-02
    or BD-09), or None when the location came from a code or an address.
    ``matched`` is the text that decided an address match (e.g. ``石桥村·村部``).
    """

    village: Area
    grid: Grid | None
    by: LocatedBy
    lat: float | None = None
    lon: float | None = None
    landmark: Landmark | None = None
    matched: str = ""


CRS_CHOICES = ("wgs84", "gcj02", "bd09")


class UnknownCRS(ValueError):
    """The adapter passed a coordinate system this module does not know."""


# ---------------------------------------------------------------------------
# Version stamp and the per-process index


_local_generation = 0
_STAMP_SQL = f"SELECT token FROM {GeoStamp._meta.db_table} WHERE id = 1"
_lock = threading.Lock()
_cached: "_Index | None" = None


def bump_geo_version() -> str:
    """Record that geography changed; every process rebuilds its index at its next lookup."""
    token = uuid.uuid4().hex
    GeoStamp.objects.update_or_create(id=1, defaults={"token": token})
    note_local_change()
    return token


def note_local_change(**_kwargs) -> None:
    """Signal receiver: an area, grid or landmark was saved or deleted in this process."""
    global _local_generation
    _local_generation += 1


def _stamp() -> tuple[str, int]:
    # A plain cursor: this runs on every lookup, and the ORM's query building would
    # cost more than the point-in-polygon test itself.
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL)
        row = cursor.fetchone()
    return (row[0] if row else "", _local_generation)


@dataclass
class _Entry:
    """One name the address matcher looks for."""

    text: str
    kind: str  # township | village | grid | landmark
    key: object  # area code, grid id or landmark id
    stem_len: int  # characters before a fixed suffix (村, 镇 …); a typo may only fall in the stem
    short: bool = False  # a name without its suffix (石桥 for 石桥村)


@dataclass
class _Index:
    key: tuple[str, int]
    village_codes: list[str] = field(default_factory=list)
    village_geoms: list = field(default_factory=list)
    tree: shapely.STRtree | None = None
    grids: dict[str, list[tuple[str, int, object]]] = field(default_factory=dict)  # village -> [(code, id, geom)]
    entries: list[_Entry] = field(default_factory=list)
    township_of: dict[str, str] = field(default_factory=dict)  # village code -> township code
    grid_village: dict[int, str] = field(default_factory=dict)
    grid_short: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # village -> [(短名, grid id)]
    landmarks: dict[int, tuple[str, int | None, str]] = field(default_factory=dict)  # id -> (village, grid, name)


def _index() -> _Index:
    global _cached
    key = _stamp()
    index = _cached
    if index is not None and index.key == key:
        return index
    with _lock:
        if _cached is None or _cached.key != key:
            _cached = _build_index(key)
        return _cached


def _build_index(key: tuple[str, int]) -> _Index:
    index = _Index(key=key)
    villages = list(Area.objects.filter(level=AreaLevel.VILLAGE).order_by("code").values_list("code", "name", "parent_id", "boundary"))
    for code, _name, parent, boundary in villages:
        index.township_of[code] = parent
        if boundary:
            index.village_codes.append(code)
            index.village_geoms.append(shape(boundary))
    if index.village_geoms:
        index.tree = shapely.STRtree(index.village_geoms)
    for gid, code, name, village, boundary in Grid.objects.order_by("code").values_list("id", "code", "name", "area_id", "boundary"):
        index.grid_village[gid] = village
        if boundary:
            index.grids.setdefault(village, []).append((code, gid, shape(boundary)))
    _add_name_entries(index, villages)
    return index


# ---------------------------------------------------------------------------
# Points


def check_crs(crs: str) -> str:
    """The canonical name of a coordinate system, or UnknownCRS."""
    name = (crs or "wgs84").lower().replace("-", "").replace("_", "")
    if name not in CRS_CHOICES:
        raise UnknownCRS(_("Unknown coordinate system “%(crs)s”: use wgs84, gcj02 or bd09.") % {"crs": crs})
    return name


def to_wgs84(lat: float, lon: float, crs: str = "wgs84") -> tuple[float, float] | None:
    """Convert (lat, lon) from ``crs`` to WGS-84; None when a Chinese datum is used outside China.

    GCJ-02 and BD-09 are defined only inside China: outside it a converter would return
    the input unchanged, which would be a guess, so this returns None instead.
    The GCJ-02 inverse is refined by fixed-point iteration on coordTransform's forward
    transform (its one-step inverse is off by up to ~5 m; iterated, below a millimetre).
    """
    crs = check_crs(crs)
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not _valid_lat_lon(lat, lon):
        return None
    if crs == "wgs84":
        return (lat, lon)
    if coordTransform.out_of_china(lon, lat):
        return None
    if crs == "bd09":
        lon, lat = coordTransform.bd09_to_gcj02(lon, lat)
    return gcj02_to_wgs84(lat, lon)


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Invert GCJ-02 to WGS-84 to well under a millimetre (the offset field is smooth)."""
    w_lon, w_lat = coordTransform.gcj02_to_wgs84(lon, lat)  # one step: within ~5 m
    for _step in range(6):
        g_lon, g_lat = coordTransform.wgs84_to_gcj02(w_lon, w_lat)
        d_lon, d_lat = g_lon - lon, g_lat - lat
        w_lon, w_lat = w_lon - d_lon, w_lat - d_lat
        if abs(d_lon) < 1e-10 and abs(d_lat) < 1e-10:
            break
    return (w_lat, w_lon)


def _valid_lat_lon(lat: float, lon: float) -> bool:
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lat, lon)) and -90 <= lat <= 90 and -180 <= lon <= 180


def locate_codes(lat: float, lon: float) -> tuple[str, int | None] | None:
    """(village code, grid id or None) covering a WGS-84 point, from the in-memory index only."""
    index = _index()
    if index.tree is None or not _valid_lat_lon(lat, lon):
        return None
    point = Point(lon, lat)
    hits = index.tree.query(point, predicate="intersects")  # closed polygons: borders count
    if len(hits) == 0:
        return None
    village = min(index.village_codes[i] for i in hits)  # border rule: smallest code
    grid_ids = [(code, gid) for code, gid, geom in index.grids.get(village, ()) if geom.intersects(point)]
    return village, (min(grid_ids)[1] if grid_ids else None)


def locate(lat: float, lon: float, crs: str = "wgs84") -> Location | None:
    """The village (and grid) whose boundary covers the point, or None outside every village."""
    point = to_wgs84(lat, lon, crs)
    if point is None:
        return None
    found = locate_codes(*point)
    if found is None:
        return None
    village_code, grid_id = found
    if grid_id:
        grid = Grid.objects.select_related("area").get(id=grid_id)
        village = grid.area
    else:
        grid, village = None, Area.objects.get(code=village_code)
    return Location(village=village, grid=grid, by=LocatedBy.POINT, lat=point[0], lon=point[1])


# ---------------------------------------------------------------------------
# Address strings

_TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
_VILLAGE_SUFFIXES = ("居委会", "村委会", "社区", "村")
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBERED = re.compile(r"第?([一二两三四五六七八九十零\d]+)(网格|组|村民小组|栋)")


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if "十" in text:  # 十, 十二, 二十, 二十三
        tens, _, ones = text.partition("十")
        return _CN_DIGITS.get(tens, 1 if tens == "" else -100) * 10 + (_CN_DIGITS.get(ones, -100) if ones else 0)
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    return None


def normalise(text: str) -> str:
    """Full-width to half-width, no spaces or punctuation, numbered grids as 第N网格."""
    text = text or ""
    for _pass in range(3):  # removing a spacing accent's space can leave a pair NFKC composes: repeat until stable
        cleaned = "".join(ch for ch in unicodedata.normalize("NFKC", text) if not unicodedata.category(ch).startswith(("P", "Z", "C", "S")))
        if cleaned == text:
            break
        text = cleaned

    def number(match: re.Match) -> str:
        n = _cn_number(match.group(1))
        return match.group(0) if n is None or n < 0 else f"第{n}{match.group(2)}"

    return _NUMBERED.sub(number, text)


def _strip_suffix(name: str, suffixes: tuple[str, ...]) -> tuple[str, str]:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)], suffix
    return name, ""


def _add_name_entries(index: _Index, villages: list[tuple]) -> None:
    def add(text: str, kind: str, key: object, stem_len: int | None = None, short: bool = False) -> None:
        text = normalise(text)
        if len(text) >= 2:
            index.entries.append(_Entry(text, kind, key, len(text) if stem_len is None else stem_len, short))

    # Province, prefecture and county names are matched too, only so that a shorter name
    # inside them (a village called 永州 …) is not taken for a place of its own.
    for name in Area.objects.filter(level__in=[AreaLevel.PROVINCE, AreaLevel.PREFECTURE, AreaLevel.COUNTY]).values_list("name", flat=True):
        stem, suffix = _strip_suffix(name, ("自治县", "自治州", "省", "市", "区", "县", "州", "盟", "旗"))
        add(name, "ancestor", name)
        if suffix:
            add(stem, "ancestor", name)
    for code, name in Area.objects.filter(level=AreaLevel.TOWNSHIP).values_list("code", "name"):
        stem, suffix = _strip_suffix(name, _TOWNSHIP_SUFFIXES)
        add(name, "township", code, len(stem))
        if suffix:
            add(stem, "township", code, short=True)
    for code, name, _parent, _boundary in villages:
        stem, suffix = _strip_suffix(name, _VILLAGE_SUFFIXES)
        add(name, "village", code, len(stem))
        if suffix:
            add(stem, "village", code, short=True)
            other = {"村": "村委会", "社区": "居委会"}.get(suffix)  # 石桥村委会, 和平居委会
            if other:
                add(stem + other, "village", code, len(stem))
    village_names = {code: name for code, name, _parent, _boundary in villages}
    for gid, name, village in Grid.objects.values_list("id", "name", "area_id"):
        add(name, "grid", gid)
        village_name = village_names.get(village, "")
        short = normalise(name[len(village_name):] if village_name and name.startswith(village_name) else name)
        if short:
            index.grid_short.setdefault(village, []).append((short, gid))
    for lid, name, aliases, village, grid in Landmark.objects.values_list("id", "name", "aliases", "area_id", "grid_id"):
        index.landmarks[lid] = (village, grid, name)
        for text in [name, *(aliases or [])]:
            add(text, "landmark", lid)


@dataclass(frozen=True)
class _Hit:
    kind: str
    key: object
    start: int
    end: int
    text: str


_ADMIN_SUFFIXES = ("省", "市", "区", "县", "街道", "镇", "乡", "村", "社区")


def _exact_hits(text: str, entries: list[_Entry]) -> list[_Hit]:
    hits = []
    for entry in entries:
        start = text.find(entry.text)
        while start >= 0:
            end = start + len(entry.text)
            # 石桥 stands for 石桥村, but 石桥镇 is another place, not 石桥村
            if not (entry.short and text.startswith(_ADMIN_SUFFIXES, end)):
                hits.append(_Hit(entry.kind, entry.key, start, end, entry.text))
            start = text.find(entry.text, start + 1)
    return hits


def _fuzzy_hits(text: str, entries: list[_Entry]) -> list[_Hit]:
    """Names written with one wrong character in the stem (石乔村 for 石桥村).

    Only full township and village names, whose suffix (村, 镇 …) must be exact so that
    石桥镇 never passes for 石桥村, and landmark names of four characters or more.
    """
    hits = []
    for entry in entries:
        n = len(entry.text)
        named_with_suffix = entry.kind in ("township", "village") and not entry.short and 2 <= entry.stem_len < n
        if not (named_with_suffix or (entry.kind == "landmark" and n >= 4)):
            continue
        for start in range(len(text) - n + 1):
            window = text[start : start + n]
            if window[entry.stem_len :] != entry.text[entry.stem_len :]:
                continue
            if sum(a != b for a, b in zip(window, entry.text)) == 1:
                hits.append(_Hit(entry.kind, entry.key, start, start + n, window))
    return hits


def _drop_contained(hits: list[_Hit]) -> list[_Hit]:
    """A name inside a longer matched name is not a match of its own (桥 in 石桥村)."""
    kept = []
    for hit in hits:
        inside = any(o.start <= hit.start and hit.end <= o.end and (o.end - o.start) > (hit.end - hit.start) for o in hits)
        if not inside:
            kept.append(hit)
    return kept


def match_address(text: str) -> Location | None:
    """The most specific unique place an address names, or None when nothing or several fit."""
    index = _index()
    norm = normalise(text)
    if not norm:
        return None
    exact = _drop_contained(_exact_hits(norm, index.entries))
    exact = [h for h in exact if h.kind != "ancestor"]
    found = _decide(exact, index, norm)
    if found is None and not any(h.kind == "village" for h in exact):
        hits = _drop_contained(_exact_hits(norm, index.entries) + _fuzzy_hits(norm, index.entries))
        found = _decide([h for h in hits if h.kind != "ancestor"], index, norm)
    if found is None:
        return None
    village_code, grid_id, landmark_id, matched = found
    return Location(
        village=Area.objects.get(code=village_code),
        grid=Grid.objects.get(id=grid_id) if grid_id else None,
        by=LocatedBy.ADDRESS,
        landmark=Landmark.objects.get(id=landmark_id) if landmark_id else None,
        matched=matched,
    )


def _decide(hits: list[_Hit], index: _Index, text: str) -> tuple[str, int | None, int | None, str] | None:
    """Most specific unique match: grid, then landmark, then village; townships only narrow."""
    townships = {h.key for h in hits if h.kind == "township"}
    villages = {h.key for h in hits if h.kind == "village"}
    if townships:
        villages = {v for v in villages if index.township_of.get(v) in townships}
        if not villages and any(h.kind == "village" for h in hits):
            return None  # the village named is not in the township named: contradictory
    in_scope = _scope_filter(index, villages, townships)
    grids = {h.key for h in hits if h.kind == "grid" and in_scope(index.grid_village[h.key])}
    if len(villages) == 1:
        village = next(iter(villages))
        grids |= {gid for short, gid in index.grid_short.get(village, []) if short in text}
    if len(grids) == 1:
        gid = next(iter(grids))
        return index.grid_village[gid], gid, None, _matched(hits)
    landmarks = {h.key for h in hits if h.kind == "landmark" and in_scope(index.landmarks[h.key][0])}
    if len(landmarks) == 1:
        lid = next(iter(landmarks))
        village, grid, _name = index.landmarks[lid]
        return village, grid, lid, _matched(hits)
    if len(villages) == 1:
        return next(iter(villages)), None, None, _matched(hits)
    if not villages and landmarks and len({index.landmarks[lid][0] for lid in landmarks}) == 1:
        return index.landmarks[next(iter(landmarks))][0], None, None, _matched(hits)
    return None


def _scope_filter(index: _Index, villages: set[str], townships: set[str]):
    if villages:
        return lambda v: v in villages
    if townships:
        return lambda v: index.township_of.get(v) in townships
    return lambda v: True


def _matched(hits: list[_Hit]) -> str:
    """The distinct names found, in reading order (for the dispatcher to check)."""
    return "·".join(dict.fromkeys(h.text for h in sorted(hits, key=lambda h: h.start)))


# ---------------------------------------------------------------------------
# The entry point for intake adapters


def locate_address_id(address_id: str) -> Location | None:
    """A 12-digit village code or a grid code, or None."""
    address_id = (address_id or "").strip()
    if not address_id:
        return None
    village = Area.objects.filter(code=address_id, level=AreaLevel.VILLAGE).first() if len(address_id) == Level.VILLAGE.value else None
    if village is not None:
        return Location(village=village, grid=None, by=LocatedBy.ADDRESS_ID)
    grid = Grid.objects.select_related("area").filter(code=address_id).first()
    if grid is not None:
        return Location(village=grid.area, grid=grid, by=LocatedBy.ADDRESS_ID)
    return None


def resolve_location(*, lat: float | None = None, lon: float | None = None, crs: str = "wgs84",
                     address_string: str = "", address_id: str = "") -> Location | None:
    """Place a report: address_id, then lat/lon, then address_string; None if none of them places it.

    Raises :class:`UnknownCRS` for a coordinate system other than wgs84, gcj02 or bd09
    (an adapter's mistake, not the reporter's). Coordinates out of range or outside the
    county, unknown codes and unmatched addresses all give None, never an error: the
    caller queues such a report for a dispatcher to place.
    """
    check_crs(crs)
    found = locate_address_id(address_id)
    if found is None and lat is not None and lon is not None:
        found = locate(lat, lon, crs)
    if found is None and address_string:
        found = match_address(address_string)
    return found
