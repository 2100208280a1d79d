"""A county leader opens the dashboard from the menu in Chromium, clicks a number and lands on the case list whose
total is that number: the overdue count, a township's intake; the page fits a 390 px phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from jiceng.cases.models import Case
from jiceng.stats.rollups import refresh
from tests.browser.conftest import PHONE, chromium, login  # noqa: F401 - chromium is a fixture
from tests.cases.helpers import handling_case, submit

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = "/tmp/stats-dashboard-shots"


def _total(page) -> int:
    """The case list's own count line (共找到 N 件)."""
    text = page.locator("main p.muted", has_text="共找到").first.inner_text()
    return int(re.search(r"共找到\s*(\d+)", text)[1])


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _county(world):
    here, there = world.townships
    for township, n in ((here, 3), (there, 1)):
        village = next(v for v in world.villages if v.code.startswith(township.prefix))
        for i in range(n):
            case = handling_case(world, village=village, title=f"路灯不亮 {township.name} {i}")
            if i < 2:  # overdue now: the deadline passed an hour ago
                Case.objects.filter(pk=case.pk).update(deadline=case.created_at - timedelta(hours=1))
    submit(world, village=next(v for v in world.villages if v.code.startswith(there.prefix)), title="新报的坑洼")
    refresh()


def test_a_leader_clicks_from_the_menu_to_a_number_and_the_list_has_as_many_cases(world, live_server, chromium):  # noqa: F811
    _county(world)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    login(page, live_server.url, world.users["leader"])
    page.click("header a[href='/stats/']")
    page.wait_for_selector("a[data-kpi='overdue_now']")
    page.screenshot(path=f"{SHOTS}/dashboard-desktop.png", full_page=True)

    overdue = _number(page.locator("a[data-kpi='overdue_now'] b").inner_text())
    assert overdue == 3
    page.click("a[data-kpi='overdue_now']")
    page.wait_for_load_state()
    assert "/cases/" in page.url and _total(page) == overdue
    page.screenshot(path=f"{SHOTS}/overdue-list-desktop.png", full_page=True)

    page.go_back()
    page.wait_for_selector("a[data-list='overdue']")
    expect(page.locator("a[data-list='overdue']")).to_contain_text("全部 3 件")
    row = page.locator("table.sortable tbody tr").first
    name, count = row.locator("td.name a").inner_text(), _number(row.locator("td").nth(1).inner_text())
    assert count >= 1
    row.locator("td").nth(1).locator("a").click()
    page.wait_for_load_state()
    assert _total(page) == count, f"{name}: {count} on the dashboard"

    page.goto(f"{live_server.url}/stats/")
    total = _number(page.locator("a[data-kpi='intake'] b").inner_text())
    page.click("a[data-kpi='intake']")
    page.wait_for_load_state()
    assert total == 5 and _total(page) == total


def test_the_dashboard_fits_a_phone(world, live_server, chromium):  # noqa: F811
    _county(world)
    page = chromium.new_page(**PHONE)
    login(page, live_server.url, world.users["leader"])
    page.goto(f"{live_server.url}/stats/")
    page.wait_for_selector("a[data-kpi='overdue_now']")
    page.screenshot(path=f"{SHOTS}/dashboard-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.click("a[data-kpi='overdue_now']")
    page.wait_for_load_state()
    assert _total(page) == 3
