"""With the Content-Security-Policy on, every page still works in a real headless Chromium.

Chromium reports each blocked script, style or request as a console error
("Refused to …"); the pages must produce none, htmx must still swap its
fragments and the API docs (Swagger UI) must still render. Also drives the
access-log page as an auditor and an administrator at desktop and phone width.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jiceng.accounts.models import PersonalDataAccess
from tests.browser.test_case_page_in_chromium import browser  # noqa: F401  (the shared Chromium fixture)
from tests.cases.helpers import submit

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Browser-Test-2026"
SHOTS = os.environ.get("JICENG_SHOTS")  # a directory to keep screenshots in, when looking at the pages by eye


def _login(browser, url: str, user, width: int = 1280):  # noqa: F811
    user.set_password(PASSWORD)
    user.save()
    page = browser.new_page(viewport={"width": width, "height": 900})
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text or "Refused to" in msg.text else None)
    page.goto(f"{url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page, refused


def test_pages_work_with_the_csp_and_nothing_is_refused(world, users, live_server, browser):  # noqa: F811
    case = submit(world)
    page, refused = _login(browser, live_server.url, users["admin"])
    for path in ["/", "/cases/?state=open", f"/cases/{case.number}/", "/cases/new/", "/triage/callers/", "/insurance/",
                 "/insurance/calc/", "/access-log/", "/track/", "/board/"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()} or \
            "content-security-policy" in response.headers, path
        page.wait_for_load_state("networkidle")
    # htmx still works: choosing a category loads its fields into the new-case form.
    page.goto(f"{live_server.url}/cases/new/")
    page.wait_for_load_state("networkidle")
    page.select_option("#f-category", "yinhuan-fire")
    page.wait_for_selector("text=隐患等级", timeout=5000)
    # The API docs (vendored Swagger UI) render.
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=10000)
    assert refused == []


@pytest.mark.parametrize("username", ["auditor", "admin"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_access_log_page_lists_and_filters(world, users, live_server, browser, username, width):  # noqa: F811
    case = submit(world)
    leader = users["leader"]
    for purpose in ("回访", "核实身份", "回访"):
        PersonalDataAccess.objects.create(user=leader, case=case, purpose=purpose)
    page, refused = _login(browser, live_server.url, users[username], width)
    if width <= 600:
        page.click(".menu-toggle")  # on a phone the navigation is folded behind the menu button
    page.click("text=个人信息访问记录")
    page.wait_for_selector("h1:has-text('个人信息访问记录')")
    assert page.locator("table tr").count() == 1 + 3 and "共 3 条记录" in page.content()
    page.fill("#f-purpose", "核实")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("text=共 1 条记录")
    assert case.number in page.content() and leader.display_name in page.content()
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/access-log-{username}-{width}.png", full_page=True)
    assert refused == []


def test_other_roles_may_not_read_the_access_log(world, users, client):
    client.force_login(users["leader"])
    assert client.get("/access-log/", HTTP_HOST="localhost").status_code == 403
