"""A leader supervises (督办) an overdue case from the workbench in Chromium; the case list and the holder's
workbench then mark it 督办, and the resident follows it on the tracking page with the 查询码."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from jiceng.cases.models import Case
from tests.cases.helpers import handling_case, village_staff

from .conftest import PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_supervises_from_the_overdue_list_and_the_mark_shows_everywhere(world, live_server, chromium):
    case = handling_case(world, title="村口路灯一个月没修")
    Case.objects.filter(pk=case.pk).update(deadline=case.created_at - timedelta(hours=1))  # overdue for the leader's 超期 list
    page = chromium.new_page()
    login(page, live_server.url, world.users["leader"])
    page.click(".wb-tab:has-text('超期')")
    page.click(f".wb-row:has-text('{case.number}') a")
    page.click(".c-actions summary:has-text('督办')")
    page.fill("details[open] [name=note]", "三日内修好并回复")
    page.click("details[open] button[type=submit]")
    page.wait_for_selector(".msg.success")
    expect(page.locator("#deadlines")).to_contain_text("督办")
    page.click("header a.brand")
    page.click(".wb-tab:has-text('我督办的')")
    expect(page.locator(".wb-row", has_text=case.number)).to_be_visible()
    page.goto(f"{live_server.url}/cases/?state=open")
    expect(page.locator("table.cards tbody tr", has_text=case.number).locator(".badge", has_text="督办")).to_be_visible()

    holder = chromium.new_page(**PHONE)
    login(holder, live_server.url, village_staff(world, case.area_id))
    holder.click(".wb-tab:has-text('办理中')")
    expect(holder.locator(".wb-row", has_text=case.number).locator(".badge.supervised")).to_be_visible()

    visitor = chromium.new_page(**PHONE)
    visitor.goto(f"{live_server.url}/track/")
    visitor.fill("input[name=number]", case.number)
    visitor.fill("#t-code", Case.objects.get(pk=case.pk).query_code)
    visitor.click("form button[type=submit]")
    expect(visitor.locator("main")).to_contain_text("办理中")
    assert "张三明" not in visitor.content() and "13812345678" not in visitor.content(), "tracking shows no personal data"
