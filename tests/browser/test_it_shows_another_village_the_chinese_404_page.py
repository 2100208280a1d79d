"""In Chromium, staff of another village who open a case get the Chinese 404 page inside the site frame, and its back button works."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.cases.helpers import submit

from .conftest import PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("JICENG_SHOTS", "/tmp/portal-shots")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_another_village_gets_the_chinese_404_page_and_goes_back(world, live_server, chromium, device):
    case = submit(world, village=world.villages[-1])
    stranger = world.users[f"cun-{world.villages[0].code}"]
    ctx = chromium.new_context(**(PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 800}}), locale="en-US")
    page = ctx.new_page()
    login(page, live_server.url, stranger)
    page.goto(f"{live_server.url}/cases/?state=open")
    page.evaluate(f"window.location.href = '/cases/{case.number}/'")  # a link followed from the list: the referer is the list
    page.wait_for_selector(".error-page")
    assert page.locator(".error-status").inner_text() == "404"
    expect(page.locator("h1")).to_have_text("页面不存在")  # Chinese first, even for an English browser
    assert f"工单 {case.number} 不存在或您无权查看" in page.inner_text(".error-page")
    assert case.title not in page.content()
    expect(page.locator("header .brand")).to_be_visible()  # the site frame, with its navigation
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/error-404-{device}.png", full_page=True)
    page.click("#error-back")
    page.wait_for_url("**/cases/?state=open")
    ctx.close()


def test_the_404_answer_carries_the_status(world, live_server, chromium):
    case = submit(world, village=world.villages[-1])
    page = chromium.new_page(locale="zh-CN")
    login(page, live_server.url, world.users[f"cun-{world.villages[0].code}"])
    response = page.goto(f"{live_server.url}/cases/{case.number}/")
    assert response.status == 404 and "页面不存在" in page.inner_text("main")
