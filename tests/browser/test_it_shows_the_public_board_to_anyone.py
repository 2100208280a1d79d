"""In Chromium, a visitor without an account goes from the login page to the public board, narrows it to a village and state,
and follows a case to its tracking page; on a phone the board is a list of cards."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from jiceng.cases.actions import do_case_action
from tests.cases.helpers import handling_case, submit, village_staff

from .conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("JICENG_SHOTS", "/tmp/portal-shots")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_visitor_narrows_the_board_to_a_village_and_follows_a_case(world, live_server, chromium, device):
    township = world.townships[0]
    village = next(v for v in world.villages if v.parent_id == township.code)
    other = submit(world, village=next(v for v in world.villages if v.parent_id != township.code), title="别处路灯")
    case = handling_case(world, village=village, reporter_name="张三明", reporter_phone="13812345678")
    do_case_action(case, "resolve", village_staff(world, village.code), {"result": "已为张三明更换路灯"})
    ctx = chromium.new_context(**(PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 800}}), locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{live_server.url}/login/")
    page.click(".login-public a:has-text('公开栏')")
    page.wait_for_url("**/board/")
    expect(page.locator("#b-village")).to_be_disabled()
    page.select_option("#b-township", township.code)  # reloads with the township's villages (cases/board.js)
    expect(page.locator("#b-village")).to_be_enabled()
    page.select_option("#b-village", village.code)
    page.select_option("#b-state", "resolved")
    page.click("#board-filter button[type=submit]")
    expect(page.locator("#board-total")).to_have_text("共 1 件")
    row = page.locator("table.board tbody tr")
    assert case.number in row.inner_text() and other.number not in page.content()
    assert "张*明" in row.inner_text() and "张三明" not in page.content()
    if device == "phone":
        assert row.evaluate("r => getComputedStyle(r).display") == "flex"  # a card
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/board-{device}.png", full_page=True)
    page.click(f"a:has-text('{case.number}')")
    page.wait_for_url("**/track/?number=*")
    expect(page.locator("main h2")).to_contain_text(case.number)
    ctx.close()
