"""The public board (公开栏) through the web page and the REST endpoint: public categories only, people masked,
state, unit, latest step and result shown, filtered by township, village and state, paged by keyset."""

from __future__ import annotations

import pytest
from django.test import Client

from jiceng.cases.actions import do_case_action
from jiceng.cases.board import BoardFilter, board_page
from tests.cases.helpers import handling_case, submit, village_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(world):
    t1, t2 = world.townships
    a = next(v for v in world.villages if v.parent_id == t1.code)
    b = next(v for v in world.villages if v.parent_id == t2.code)
    return {"t1": t1, "t2": t2, "a": a, "b": b}


def _web(params: dict) -> tuple[int, str]:
    r = Client().get("/board/", params)
    return r.status_code, r.content.decode()


def _rest(params: dict) -> tuple[int, dict]:
    r = Client().get("/api/v1/public/board", params)
    return r.status_code, r.json()


def _numbers_web(page: str) -> set[str]:
    import re

    return set(re.findall(r"/track/\?number=([0-9-]+)", page))


def _numbers_rest(body: dict) -> set[str]:
    return {item["number"] for item in body["items"]}


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_only_public_categories_are_on_the_board(world, places, adapter):
    road = submit(world, village=places["a"])
    petition = submit(world, category="xinfang-visit", village=places["a"], fields={"petitioners": 2})
    dispute = submit(world, category="jiufen-land", village=places["a"], fields={"parties": ["王建国", "李四"]})
    if adapter == "web":
        status, page = _web({})
        shown = _numbers_web(page)
    else:
        status, body = _rest({})
        shown = _numbers_rest(body)
        assert body["total"] == 1
    assert status == 200 and road.number in shown
    assert petition.number not in shown and dispute.number not in shown


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_refused_and_merged_cases_are_not_listed(world, places, adapter):
    kept = submit(world, village=places["a"], title="路灯一")
    refused = submit(world, village=places["a"], title="路灯二")
    do_case_action(refused, "refuse", village_staff(world, places["a"].code), {"note": "不属于受理范围"})
    shown = _numbers_web(_web({})[1]) if adapter == "web" else _numbers_rest(_rest({})[1])
    assert kept.number in shown and refused.number not in shown


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_the_board_shows_state_unit_progress_and_the_masked_result(world, places, adapter):
    case = handling_case(world, village=places["a"], reporter_name="张三明", reporter_phone="13812345678",
                         address="红星村四组88号", description="村口三盏路灯坏了一周，联系人张三明")
    staff = village_staff(world, places["a"].code)
    do_case_action(case, "resolve", staff, {"result": "已为张三明更换红星村四组88号门前路灯，回访电话13812345678"})
    if adapter == "web":
        status, text = _web({"village": places["a"].code, "township": places["t1"].code})
        assert "已办结待回访" in text and case.unit.name in text and "办结" in text  # state, unit, latest step
    else:
        status, body = _rest({"village": places["a"].code, "township": places["t1"].code})
        item = body["items"][0]
        assert (item["state"], item["unit"], item["progress"]["action"]) == ("resolved", case.unit.name, "resolve")
        text = str(body)
        assert item["result"] == "已为张*明更换红星村四组**号门前路灯，回访电话138****5678"
    assert status == 200
    assert "张*明" in text and "138****5678" in text
    for secret in ("张三明", "13812345678", "88号", "村口三盏路灯坏了一周"):  # people, numbers, the exact address, the description
        assert secret not in text


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_the_board_filters_by_township_village_and_state(world, places, adapter):
    in_a = submit(world, village=places["a"], title="甲村路灯")
    in_b = submit(world, village=places["b"], title="乙村路灯")
    done = handling_case(world, village=places["a"], title="甲村修好了")
    do_case_action(done, "resolve", village_staff(world, places["a"].code), {"result": "已修复"})

    def shown(params):
        return _numbers_web(_web(params)[1]) if adapter == "web" else _numbers_rest(_rest(params)[1])

    assert shown({"township": places["t1"].code}) == {in_a.number, done.number}
    assert shown({"township": places["t2"].code}) == {in_b.number}
    assert shown({"township": places["t1"].code, "village": places["a"].code, "state": "resolved"}) == {done.number}
    assert shown({"state": "submitted"}) == {in_a.number, in_b.number}
    assert shown({"state": "open"}) == {in_a.number, in_b.number, done.number}  # resolved is still open until closed


@pytest.mark.parametrize("adapter", ["web", "rest"])
@pytest.mark.parametrize("params, field, message", [
    ({"township": "431102999000"}, "township", "请从列表中选择乡镇（街道）"),
    ({"village": "x' OR 1=1"}, "village", "请选择所选乡镇（街道）下的村（社区）"),
    ({"state": "refused"}, "state", "请从列表中选择状态"),
    ({"before": "abc"}, "before", "分页位置必须是整数"),
])
def test_bad_filters_get_a_chinese_400(world, places, adapter, params, field, message):
    if adapter == "web":
        status, page = _web(params)
        assert message in page
    else:
        status, body = _rest(params)
        assert body["field"] == field and body["message"] == message
    assert status == 400


def test_a_village_of_another_township_is_refused(world, places):
    status, body = _rest({"township": places["t1"].code, "village": places["b"].code})
    assert status == 400 and body["field"] == "village"


def test_keyset_pages_follow_each_other_without_gaps(world, places):
    numbers = [submit(world, village=places["a"], title=f"路灯{i}").number for i in range(5)]
    seen, before = [], None
    while True:
        page = board_page(BoardFilter(before=before), size=2)
        seen += [item["number"] for item in page.items]
        assert page.total == 5
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == list(reversed(numbers))  # newest first, each once


def test_the_web_page_links_the_next_page_with_the_filters(world, places):
    for i in range(21):
        submit(world, village=places["a"], title=f"路灯{i}")
    status, page = _web({"township": places["t1"].code})
    assert status == 200 and "共 21 件" in page
    assert f'href="?township={places["t1"].code}&before=' in page
    status, body = _rest({"township": places["t1"].code})
    assert len(body["items"]) == 20 and body["next_before"] is not None
    status, body = _rest({"township": places["t1"].code, "before": str(body["next_before"])})
    assert len(body["items"]) == 1 and body["next_before"] is None


def test_anonymous_visitors_find_the_board_in_the_header_and_on_the_login_page(world, client):
    login = client.get("/login/").content.decode()
    assert login.count('href="/board/"') == 2  # the header and the login card
    client.force_login(world.users["leader"])
    assert 'href="/board/"' not in client.get("/cases/").content.decode()  # staff have their workbench instead
