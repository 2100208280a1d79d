"""In a real headless Chromium: the case page's repeat panel says why two matters at one place are apart,
and a case whose phone no longer decrypts shows a marker instead of failing. Screenshots at 1280 and 390 px
go to $JICENG_SCREENSHOTS when set (looked at by hand)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.cases.helpers import submit, village_staff

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                                                               "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def _shoot(page, name: str) -> None:
    target = os.environ.get("JICENG_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{target}/{name}.png", full_page=True)


def _login(browser, url, user, width):
    user.set_password("browser-test-pw")
    user.save()
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "browser-test-pw")
    page.click("button[type=submit]")
    return page


@pytest.mark.parametrize("width", [1280, 390])
def test_the_repeat_panel_and_an_unreadable_phone_in_chromium(world, live_server, browser, settings, tmp_path, width):
    settings.FIELD_KEY_PATH = tmp_path / "field-keys.json"
    first = submit(world, category="minsheng-utilities", title="停水", description="四组停水三天了", address="红星村四组")
    second = submit(world, category="minsheng-utilities", title="停电", description="四组停电了一整天", address="红星村四组",
                    reporter_phone="13900000002")
    page = _login(browser, live_server.url, village_staff(world, second.area_id), width)
    page.goto(f"{live_server.url}/cases/{second.number}/")
    page.wait_for_selector(f"#triage-panel :text('{first.number}')")
    panel = page.inner_text("#triage-panel")
    assert "说的是另一样东西" in panel  # the contrasting subject (停水 / 停电) is the reason given
    _shoot(page, f"repeat-panel-{width}")
    # Another instance's key file: the page still answers, the phone shows as unreadable.
    shutil.move(settings.FIELD_KEY_PATH, tmp_path / "ours.json")
    response = page.goto(f"{live_server.url}/cases/{second.number}/")
    assert response.status == 200 and "无法解密" in page.content()
    _shoot(page, f"unreadable-phone-{width}")
