"""Issue 11's notifications in a real Chromium: a leader supervises a case; the village staff holding it see it
in the bell and the inbox on their phone, open it and it is read; the SMS the worker sent is in the outbox."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from jiceng.notifications.models import Delivery
from jiceng.notifications.worker import run_pending
from tests.cases.helpers import handling_case, village_staff
from tests.notifications.conftest import LocalGateway

from .conftest import PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("JICENG_SHOTS")  # a directory to keep screenshots in, when looking at the pages by eye


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.fixture
def sms_gateway(settings):
    g = LocalGateway()
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "SMS": {"URL": f"{g.url}/send", "TOKEN": "t", "SIGN": "基层治理"},
                              "WECHAT": {"URL": ""}, "EMAIL": {"ENABLED": False}}
    yield g
    g.close()


def test_a_supervision_shows_in_the_bell_the_inbox_and_the_outbox(world, live_server, chromium, sms_gateway):
    village = world.villages[-1]
    staff = village_staff(world, village.code)
    staff.phone = "13900001111"
    staff.save()
    case = handling_case(world, village=village)  # held by the village committee; the staff acted themselves: nothing for them yet

    leader_page = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    login(leader_page, live_server.url, world.users["leader"])
    leader_page.goto(f"{live_server.url}/cases/{case.number}/")
    leader_page.click("summary:has-text('督办')")
    leader_page.fill("details[open] textarea[name=note]", "群众反映强烈，请三日内修好")
    leader_page.click("details[open] button[type=submit]")
    leader_page.wait_for_selector(".msg.success")

    phone = chromium.new_context(**PHONE, locale="zh-CN").new_page()
    login(phone, live_server.url, staff)
    bell = phone.locator("#notify-bell")
    expect(bell.locator(".notify-count")).to_have_text("1")
    assert "1 条未读" in bell.get_attribute("aria-label")
    bell.click()
    item = phone.locator(".notify-item.unread")
    expect(item).to_have_count(1)
    assert f"工单被督办：{case.number}" in item.inner_text() and "群众反映强烈" in item.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "the inbox fits a phone"
    _shot(phone, "notifications-inbox-phone.png")
    item.locator("a.title").click()
    phone.wait_for_url(f"**/cases/{case.number}/")
    expect(phone.locator("#notify-bell .notify-count")).to_have_count(0)  # opened: read
    # Let the page's own requests finish first: the test database is SQLite's shared in-memory one, where the
    # worker's exclusive transaction fails at once ("table is locked") while the live server still reads.
    phone.wait_for_load_state("networkidle")
    phone.context.close()

    run_pending()  # the worker (a thread of `jiceng serve`, or `jiceng worker`) sends the SMS
    [request] = sms_gateway.requests
    assert request["json"]["to"] == "13900001111" and case.number in request["json"]["text"]
    admin = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    login(admin, live_server.url, world.users["admin"])
    admin.goto(f"{live_server.url}/notifications/outbox/?channel=sms")
    row = admin.locator(f"#delivery-{Delivery.objects.get().pk}")
    assert "已发送" in row.inner_text() and "139****1111" in row.inner_text() and "13900001111" not in admin.content()
    assert f"工单被督办：{case.number}" in row.inner_text()
    _shot(admin, "notifications-outbox-desktop.png")
    admin.set_viewport_size({"width": 390, "height": 844})
    admin.reload()
    assert admin.evaluate("document.documentElement.scrollWidth") <= 390, "the outbox's table turns into cards on a phone"
    _shot(admin, "notifications-outbox-phone.png")

    desk = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 700}).new_page()
    login(desk, live_server.url, staff)
    desk.goto(f"{live_server.url}/notifications/")
    expect(desk.locator(".notify-item")).to_have_count(1)
    assert desk.locator(".notify-item.unread").count() == 0 and "已读" in desk.locator(".notify-item").inner_text()
    _shot(desk, "notifications-inbox-desktop.png")
