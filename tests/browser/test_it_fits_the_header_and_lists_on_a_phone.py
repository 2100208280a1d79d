"""On a 390 px phone the header is one row with a menu button, and the case and people lists are cards; a desktop keeps the tables."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.cases.helpers import submit
from tests.people.helpers import register

from .conftest import PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("JICENG_SHOTS", "/tmp/portal-shots")
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def _labels(row) -> list[str]:
    """What each cell of a card says it is (the CSS ::before label, which inner_text does not include)."""
    return row.locator("td").evaluate_all("tds => tds.map(t => getComputedStyle(t, '::before').content)")


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_the_phone_header_is_one_row_and_the_menu_opens(world, live_server, chromium):
    staff = world.users[f"cun-{world.villages[-1].code}"]
    ctx = chromium.new_context(**PHONE, locale="zh-CN")
    page = ctx.new_page()
    login(page, live_server.url, staff)
    header = page.locator("header")
    assert header.bounding_box()["height"] < 60, "brand and menu button share one row"
    expect(page.locator("#site-nav")).to_be_hidden()
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/header-phone-closed.png")
    page.click(".menu-toggle")
    expect(page.locator("#site-nav")).to_be_visible()
    expect(page.locator(".menu-toggle")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#site-nav a", has_text="工单查询")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/header-phone-open.png")
    page.click("#site-nav a:has-text('新建工单')")
    page.wait_for_url("**/cases/new/")
    expect(page.locator("#site-nav")).to_be_hidden()  # a new page starts folded
    ctx.close()


def test_the_menu_opens_without_script_too(world, live_server, chromium):
    ctx = chromium.new_context(**PHONE, locale="zh-CN", java_script_enabled=False)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("#site-nav")).to_be_hidden()
    page.click(".menu-toggle")  # a link to #site-nav; CSS opens the target
    expect(page.locator("#site-nav a", has_text="工单查询")).to_be_visible()
    ctx.close()


def test_the_desktop_header_shows_the_navigation_without_a_button(world, live_server, chromium):
    ctx = chromium.new_context(**DESKTOP, locale="zh-CN")
    page = ctx.new_page()
    login(page, live_server.url, world.users["leader"])
    expect(page.locator(".menu-toggle")).to_be_hidden()
    expect(page.locator("#site-nav a", has_text="工单查询")).to_be_visible()
    assert page.locator("header").bounding_box()["height"] < 60
    ctx.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_case_list_is_cards_on_a_phone_and_a_table_on_a_desktop(world, live_server, chromium, device):
    case = submit(world, title="村口路灯不亮，晚上很黑")
    submit(world, category="minsheng-road", title="道路坑洼")
    ctx = chromium.new_context(**(PHONE if device == "phone" else DESKTOP), locale="zh-CN")
    page = ctx.new_page()
    login(page, live_server.url, world.users[f"cun-{case.area_id}"])
    page.goto(f"{live_server.url}/cases/?state=open")
    row = page.locator("table.cards tbody tr", has_text=case.number)
    if device == "phone":
        expect(page.locator("table.cards thead")).to_be_hidden()
        assert row.evaluate("r => getComputedStyle(r).display") == "flex"
        assert '"状态"' in _labels(row) and '"承办单位"' in _labels(row)  # each cell says what it is
        first = row.locator("td").evaluate_all("tds => tds.filter(t => t.offsetParent).sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)[0].className")
        assert first == "card-head", "the title heads the card"
        _no_sideways_scroll(page)
    else:
        expect(page.locator("table.cards thead")).to_be_visible()
        assert row.evaluate("r => getComputedStyle(r).display") == "table-row"
    page.screenshot(path=f"{SHOTS}/case-list-{device}.png", full_page=True)
    ctx.close()


def test_the_people_list_is_cards_on_a_phone(world, live_server, chromium):
    village = world.villages[-1]
    register(world, name="李桂英")
    register(world, name="王德明", phone="13700001111")
    ctx = chromium.new_context(**PHONE, locale="zh-CN")
    page = ctx.new_page()
    login(page, live_server.url, world.users[f"cun-{village.code}"])
    page.goto(f"{live_server.url}/people/")
    expect(page.locator("table.cards thead")).to_be_hidden()
    card = page.locator("table.cards tbody tr", has_text="王德明")
    assert '"联系电话"' in _labels(card) and "137" in card.inner_text()
    _no_sideways_scroll(page)
    page.screenshot(path=f"{SHOTS}/people-list-phone.png", full_page=True)
    page.goto(f"{live_server.url}/people/households/")
    _no_sideways_scroll(page)
    ctx.close()
