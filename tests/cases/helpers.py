"""Small helpers that read as steps of the closed loop."""

from __future__ import annotations

from jiceng.cases.actions import do_case_action, do_submit
from jiceng.cases.models import Case, Category
from jiceng.demo.world import World


def village_staff(world: World, village_code: str):
    return world.users[f"cun-{village_code}"]


def submit(world: World, category: str = "minsheng-road", village=None, **kw) -> Case:
    village = village or world.villages[-1]  # a village (not a community) in the town
    cat = Category.objects.get(code=category)
    kw.setdefault("reporter_name", "张三明")
    kw.setdefault("reporter_phone", "13812345678")
    kw.setdefault("user", village_staff(world, village.code))
    case, created = do_submit(category=cat, area=village, title=kw.pop("title", "村道路灯不亮"),
                              description=kw.pop("description", "村口三盏路灯坏了一周"), **kw)
    assert created
    return case


def handling_case(world: World, **kw) -> Case:
    """A case accepted, dispatched to the village committee and signed for."""
    case = submit(world, **kw)
    staff = village_staff(world, case.area_id)
    case = do_case_action(case, "accept", staff, {"plan": "三天内更换灯泡"})
    case = do_case_action(case, "dispatch", staff, {})
    return do_case_action(case, "claim", staff, {})
