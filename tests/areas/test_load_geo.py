"""jiceng load-geo FILE.geojson: boundaries, centroids and landmarks, all or nothing."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from jiceng.areas import geo
from jiceng.areas.models import Area, GeoStamp, Grid, Landmark

pytestmark = pytest.mark.django_db

# Two villages side by side sharing the meridian 111.6 as their border.
WEST = [[[111.5, 26.2], [111.6, 26.2], [111.6, 26.3], [111.5, 26.3], [111.5, 26.2]]]
EAST = [[[111.6, 26.2], [111.7, 26.2], [111.7, 26.3], [111.6, 26.3], [111.6, 26.2]]]
WEST_HALF = [[[111.5, 26.2], [111.6, 26.2], [111.6, 26.25], [111.5, 26.25], [111.5, 26.2]]]


def feature(props: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def polygon(coords) -> dict:
    return {"type": "Polygon", "coordinates": coords}


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def write(tmp_path, features, raw: bytes | None = None):
    path = tmp_path / "geo.geojson"
    path.write_bytes(raw if raw is not None else json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode())
    return str(path)


def snapshot():
    return (list(Area.objects.order_by("code").values_list("code", "boundary", "centroid_lat", "centroid_lon")),
            list(Grid.objects.order_by("code").values_list("code", "boundary", "centroid_lat")),
            list(Landmark.objects.order_by("id").values_list("id", "name", "area_id", "grid_id", "lat", "lon")),
            GeoStamp.objects.values_list("token", flat=True).first())


@pytest.fixture
def pair(world):
    """Two villages with no geography yet (the demo's generated one is cleared)."""
    Area.objects.update(boundary=None, centroid_lat=None, centroid_lon=None)
    Grid.objects.update(boundary=None, centroid_lat=None, centroid_lon=None)
    Landmark.objects.all().delete()
    geo.bump_geo_version()
    west, east = world.villages[0], world.villages[1]
    grid = Grid.objects.filter(area=west).order_by("code").first()
    return west, east, grid


def test_it_loads_boundaries_centroids_grids_and_landmarks(tmp_path, pair, capsys):
    west, east, grid = pair
    path = write(tmp_path, [
        feature({"code": west.code}, polygon(WEST)),
        feature({"code": east.code, "centroid": [111.65, 26.21]}, polygon(EAST)),
        feature({"code": grid.code}, polygon(WEST_HALF)),
        feature({"code": west.code[:9]}, {"type": "Point", "coordinates": [111.6, 26.25]}),
        feature({"landmark": "石拱桥", "aliases": ["老桥"]}, point(111.55, 26.22)),
        feature({"landmark": "东村村部", "code": east.code}, point(111.65, 26.25)),
    ])
    call_command("load_geo", path)
    assert capsys.readouterr().out.strip() == "已载入3个区划、1个网格、2个地标。"
    west.refresh_from_db(), east.refresh_from_db(), grid.refresh_from_db()
    assert west.boundary["type"] == "Polygon" and (west.centroid_lat, west.centroid_lon) == (26.25, 111.55)
    assert (east.centroid_lat, east.centroid_lon) == (26.21, 111.65)  # given, not computed
    assert Area.objects.get(code=west.parent_id).centroid == (26.25, 111.6)  # a 9-digit code, padded
    bridge = Landmark.objects.get(name="石拱桥")
    assert bridge.area == west and bridge.grid == grid and bridge.aliases == ["老桥"]  # placed by its point
    assert Landmark.objects.get(name="东村村部").area == east
    # the new geography is used at once
    assert geo.locate(26.21, 111.55).village == west and geo.locate(26.21, 111.55).grid == grid
    assert geo.locate(26.25, 111.65).village == east
    assert geo.match_address("老桥旁边").landmark == bridge


def test_the_shared_border_goes_to_the_smaller_code(tmp_path, pair):
    west, east, _grid = pair
    call_command("load_geo", write(tmp_path, [feature({"code": west.code}, polygon(WEST)), feature({"code": east.code}, polygon(EAST))]))
    smaller = min(west.code, east.code)
    assert geo.locate(26.25, 111.6).village.code == smaller
    assert geo.locate(26.25, 111.6 - 1e-9).village == west and geo.locate(26.25, 111.6 + 1e-9).village == east


def test_loading_again_updates_in_place(tmp_path, pair):
    west, _east, _grid = pair
    call_command("load_geo", write(tmp_path, [feature({"landmark": "石拱桥", "code": west.code}, point(111.55, 26.22))]))
    call_command("load_geo", write(tmp_path, [feature({"landmark": "石拱桥", "code": west.code, "aliases": ["新桥"]}, point(111.56, 26.23))]))
    bridge = Landmark.objects.get(name="石拱桥", area=west)
    assert (bridge.lat, bridge.lon, bridge.aliases) == (26.23, 111.56, ["新桥"])


BOWTIE = [[[111.5, 26.2], [111.6, 26.3], [111.6, 26.2], [111.5, 26.3], [111.5, 26.2]]]


@pytest.mark.parametrize("features, message", [
    (lambda w, e, g: [feature({"code": "431102999999"}, polygon(WEST))], "第1个要素（features[0]）：区划或网格代码“431102999999”不存在"),
    (lambda w, e, g: [feature({"code": w.code}, polygon(WEST)), feature({"code": "12AB"}, polygon(EAST))], "第2个要素（features[1]）：代码“12AB”既不是6、9或12位区划代码"),
    (lambda w, e, g: [feature({"code": w.code}, polygon(BOWTIE))], "几何图形无效：边界自相交"),
    (lambda w, e, g: [feature({"code": w.code}, {"type": "LineString", "coordinates": [[111.5, 26.2], [111.6, 26.3]]})], "几何类型“LineString”不适用"),
    (lambda w, e, g: [feature({"landmark": "村部", "code": w.code}, polygon(WEST))], "几何类型“Polygon”不适用，应为Point"),
    (lambda w, e, g: [feature({"code": w.code}, polygon([[[26.2, 111.5], [26.2, 111.6], [26.3, 111.6], [26.2, 111.5]]]))], "坐标超出范围"),
    (lambda w, e, g: [feature({"code": w.code}, {"type": "Polygon", "coordinates": [[[111.5, 26.2], [111.6, 26.2]]]})], "坐标不符合GeoJSON格式"),
    (lambda w, e, g: [feature({"code": w.code}, None)], "缺少几何图形"),
    (lambda w, e, g: [feature({}, polygon(WEST))], "既没有区划或网格代码"),
    (lambda w, e, g: [feature({"code": w.code}, polygon(WEST)), feature({"code": w.code}, polygon(EAST))], "与第1个要素重复"),
    (lambda w, e, g: [feature({"code": w.code, "centroid": [111.9, 26.9]}, polygon(WEST))], "中心点（properties.centroid）不在边界内"),
    (lambda w, e, g: [feature({"code": w.code, "centroid": "26.2,111.5"}, polygon(WEST))], "中心点（properties.centroid）应为"),
    (lambda w, e, g: [feature({"landmark": "", "code": w.code}, point(111.55, 26.22))], "地标名称（properties.landmark）应为1至64个字"),
    (lambda w, e, g: [feature({"landmark": "桥", "aliases": "老桥", "code": w.code}, point(111.55, 26.22))], "别名（properties.aliases）应为名称列表"),
    (lambda w, e, g: [feature({"landmark": "桥", "code": w.code[:9]}, point(111.55, 26.22))], "地标的代码应为村（社区）代码或网格代码"),
    (lambda w, e, g: [feature({"code": w.code}, polygon(WEST)), feature({"landmark": "远处的桥"}, point(112.5, 27.5))], "第2个要素（features[1]）：地标位置不在任何村（社区）边界内"),
    (lambda w, e, g: ["not a feature"], "不是GeoJSON要素（Feature）对象"),
    (lambda w, e, g: [feature({"code": w.code}, polygon([[[111.5, 26.2], [111.50000001, 26.2], [111.50000001, 26.20000001], [111.5, 26.2]]]))],
     "几何图形太小"),
])
def test_a_bad_feature_is_named_and_nothing_is_written(tmp_path, pair, features, message):
    west, east, grid = pair
    good = [feature({"code": east.code}, polygon(EAST))]  # a good feature in the same file is not written either
    before = snapshot()
    with pytest.raises(CommandError) as err:
        call_command("load_geo", write(tmp_path, features(west, east, grid) + good))
    assert message in str(err.value) and "未写入任何数据" in str(err.value)
    assert snapshot() == before


@pytest.mark.parametrize("raw, message", [
    ("{\"type\": \"FeatureCollection\", \"features\": [{\"name\": \"石桥村\"}]}".encode("gbk"), "文件不是UTF-8编码"),
    (b"{\"type\": \"FeatureCollection\", \"features\": [", "文件不是合法的JSON（第1行第"),
    (b"[1, 2, 3]", "文件必须是GeoJSON要素集合"),
    (b"{\"type\": \"FeatureCollection\", \"features\": []}", "文件中没有任何要素"),
])
def test_a_bad_file_is_refused_with_a_chinese_reason(tmp_path, pair, raw, message):
    before = snapshot()
    with pytest.raises(CommandError, match=message):
        call_command("load_geo", write(tmp_path, [], raw=raw))
    assert snapshot() == before


def test_a_missing_file_is_a_clear_error(tmp_path, world):
    with pytest.raises(CommandError, match="无法读取"):
        call_command("load_geo", str(tmp_path / "nope.geojson"))


def test_every_problem_is_reported_at_once(tmp_path, pair):
    west, _east, _grid = pair
    with pytest.raises(CommandError) as err:
        call_command("load_geo", write(tmp_path, [feature({"code": "431102999999"}, polygon(WEST)), feature({"code": west.code}, polygon(BOWTIE))]))
    assert "第1个要素" in str(err.value) and "第2个要素" in str(err.value)
