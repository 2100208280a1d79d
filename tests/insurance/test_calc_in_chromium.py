"""A real headless Chromium: the civil-affairs user computes a 2026 dibao stay, opens its risk case, prints one page."""

from __future__ import annotations

import os
import shutil

import pytest

from jiceng.cases.models import Case
from jiceng.insurance import check_digit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ID = "43110219800101001" + check_digit("43110219800101001")
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


def test_a_2026_dibao_bill_computes_opens_its_case_and_prints_on_one_page(world, live_server, browser):
    user = world.users["county-civil_affairs"]
    user.set_password("browser-test-pw")
    user.save()
    village = world.villages[0]
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "browser-test-pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/insurance/calc/")
    page.select_option("#f-category", "dibao")
    page.fill("#f-name", "张三明")
    page.fill("#f-id_number", ID)
    page.fill("#f-area", village.code)
    page.fill("#f-household_income", "10000")
    page.check("input[name=open_risk_case]")
    page.fill("input[name=date_0]", "2026-03-01")
    page.select_option("select[name=hospital_level_0]", label="三级医院")
    page.fill("input[name=total_0]", "57000")
    page.fill("input[name=in_policy_0]", "54000")
    page.click("button[value=calc]")
    page.wait_for_selector(".sheet")
    text = page.inner_text("main")
    assert "2026 年度，示例" in text and "7,969.12" in text and "2026-03-01 · 三级医院" in text
    # The page does not grow wider than the phone: wide tables scroll inside their card.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    case = Case.objects.get(category__code="fanpin-illness")
    assert f"已开启因病返贫风险工单 {case.number}（待受理）" in text
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert b"/Count 1" in pdf  # one A4 page
    page.emulate_media(media="screen")
    page.click("text=查看工单")
    page.wait_for_url(f"**/cases/{case.number}/")
    assert "因病返贫风险" in page.inner_text("main")
