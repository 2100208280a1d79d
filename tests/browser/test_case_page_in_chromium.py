"""A real headless Chromium logs in, opens a case and runs an action."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.cases.helpers import submit, village_staff

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs its own loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                               "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def test_village_staff_accept_a_case_in_the_browser(world, live_server, browser):
    case = submit(world)
    staff = village_staff(world, case.area_id)
    staff.set_password("browser-test-pw")
    staff.save()
    page = browser.new_page(locale="en-US")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", staff.username)
    page.fill("#id_password", "browser-test-pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/cases/{case.number}/")
    assert "待受理" in page.content()  # Chinese first, even for an English browser
    assert "138****5678" in page.content() and "13812345678" not in page.content()
    page.click("summary:has-text('受理定单')")
    page.fill("details[open] textarea[name=plan]", "三天内更换灯泡")
    page.click("details[open] button[type=submit]")
    page.wait_for_selector(".msg.success")
    case.refresh_from_db()
    assert case.state == "accepted" and case.plan == "三天内更换灯泡"
