"""match_address(): a Chinese address string to the most specific unique place it names."""

from __future__ import annotations

import pytest

from jiceng.areas import geo
from jiceng.areas.models import Area, Grid, Landmark

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhushan(world):
    """珠山镇 with 石桥村 and 石桥冲村 (one name inside the other), grids and landmarks."""
    town = Area.objects.create(code="431102102000", name="珠山镇", level="township", parent=world.county)
    shiqiao = Area.objects.create(code="431102102201", name="石桥村", level="village", parent=town)
    chong = Area.objects.create(code="431102102202", name="石桥冲村", level="village", parent=town)
    grids = {}
    for village in (shiqiao, chong):
        for g in (1, 2):
            grids[(village.code, g)] = Grid.objects.create(code=f"{village.code}{g:03d}", name=f"{village.name}第{g}网格", area=village)
    marks = {
        "shiqiao-cunbu": Landmark.objects.create(name="村部", aliases=["村委会"], area=shiqiao, grid=grids[(shiqiao.code, 1)]),
        "chong-cunbu": Landmark.objects.create(name="村部", aliases=["村委会"], area=chong, grid=grids[(chong.code, 2)]),
        "school": Landmark.objects.create(name="珠山镇中学", area=chong),
        "market": Landmark.objects.create(name="农贸市场", aliases=["菜市场"], area=shiqiao),
    }
    return {"town": town, "shiqiao": shiqiao, "chong": chong, "grids": grids, "marks": marks}


def test_a_village_name_gives_the_village(zhushan):
    loc = geo.match_address("石桥村")
    assert loc.village == zhushan["shiqiao"] and loc.grid is None and loc.by is geo.LocatedBy.ADDRESS


def test_the_full_address_with_province_city_and_county_gives_the_village(zhushan):
    assert geo.match_address("湖南省永州市零陵区珠山镇石桥冲村12号").village == zhushan["chong"]


def test_a_name_inside_a_longer_name_is_not_a_match_of_its_own(zhushan):
    # 石桥 (short for 石桥村) sits inside 石桥冲村: only 石桥冲村 is meant
    assert geo.match_address("石桥冲村").village == zhushan["chong"]


def test_a_landmark_in_a_named_village_gives_the_landmark_and_its_grid(zhushan):
    loc = geo.match_address("石桥村村部旁边的路灯坏了三天")
    assert loc.village == zhushan["shiqiao"] and loc.landmark == zhushan["marks"]["shiqiao-cunbu"]
    assert loc.grid == zhushan["grids"][(zhushan["shiqiao"].code, 1)]


def test_a_landmark_alias_counts(zhushan):
    loc = geo.match_address("石桥冲村 村委会门口")
    assert loc.landmark == zhushan["marks"]["chong-cunbu"]


def test_a_unique_landmark_alone_gives_its_village(zhushan):
    loc = geo.match_address("珠山镇中学门口积水")
    assert loc.village == zhushan["chong"] and loc.landmark == zhushan["marks"]["school"]


def test_a_numbered_grid_in_chinese_numerals_gives_the_grid(zhushan):
    loc = geo.match_address("石桥村第二网格")
    assert loc.grid == zhushan["grids"][(zhushan["shiqiao"].code, 2)]
    assert geo.match_address("石桥冲村 ２网格").grid == zhushan["grids"][(zhushan["chong"].code, 2)]  # full-width digit


def test_one_wrong_character_in_a_village_name_is_forgiven(zhushan):
    assert geo.match_address("珠山镇石乔村").village == zhushan["shiqiao"]


def test_a_name_with_another_suffix_is_another_place(zhushan):
    # 石桥 alone stands for 石桥村, but 石桥镇 is not 石桥村, neither exactly nor as a typo
    assert geo.match_address("石桥镇") is None
    assert geo.match_address("石桥路口").village == zhushan["shiqiao"]


def test_extra_words_around_the_name_do_not_matter(zhushan):
    loc = geo.match_address("我是石桥冲村的村民，家门口的水沟堵了，麻烦尽快处理！")
    assert loc.village == zhushan["chong"]


@pytest.mark.parametrize("text", ["村部", "村委会旁边", "石桥村和石桥冲村交界处", "珠山镇", "和平路88号", "", "   "])
def test_ambiguous_or_unknown_addresses_give_none(zhushan, text):
    assert geo.match_address(text) is None


def test_a_village_named_with_the_wrong_township_gives_none(zhushan, world):
    other = world.townships[0].name
    assert geo.match_address(f"{other}石桥村") is None


def test_a_landmark_elsewhere_does_not_override_the_named_village(zhushan):
    # the only 农贸市场 is in 石桥村; an address in 石桥冲村 stays there
    loc = geo.match_address("石桥冲村农贸市场")
    assert loc.village == zhushan["chong"] and loc.landmark is None


def test_the_demo_texts_landmarks_are_found(world):
    village = world.villages[0]
    mark = Landmark.objects.filter(area=village).order_by("name").first()
    loc = geo.match_address(f"{village.name}{mark.name}附近有安全隐患")
    assert loc.village == village and loc.landmark == mark and loc.grid == mark.grid


def test_a_renamed_village_is_matched_by_its_new_name(zhushan):
    assert geo.match_address("石桥村").village == zhushan["shiqiao"]
    zhushan["shiqiao"].name = "石拱桥村"
    zhushan["shiqiao"].save()
    assert geo.match_address("石拱桥村").village == zhushan["shiqiao"]
