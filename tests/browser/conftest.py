"""Shared pieces of the browser tests: real headless Chromium (Debian's), a login step, a real photo."""

from __future__ import annotations

import io
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "browser-test-pw"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def chromium():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs its own loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                                                               "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def login(page, base_url: str, user) -> None:
    user.set_password(PASSWORD)
    user.save()
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def photo_png() -> bytes:
    """A real PNG (a QR code drawn by segno), so the upload check's sniffing sees an image."""
    import segno

    out = io.BytesIO()
    segno.make("路灯照片").save(out, kind="png", scale=6)
    return out.getvalue()
