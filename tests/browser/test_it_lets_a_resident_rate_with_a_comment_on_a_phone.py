"""In Chromium on a phone, a resident opens their resolved case, sees their own details unmasked, rates it unsatisfied
with a comment and sees the case reopened with the comment in the record."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from jiceng.cases.actions import do_case_action
from jiceng.cases.models import Case
from tests.cases.helpers import submit, village_staff

from .conftest import PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("JICENG_SHOTS", "/tmp/portal-shots")


def test_a_resident_rates_unsatisfied_with_a_comment_on_a_phone(world, live_server, chromium):
    resident = world.users["resident-5"]
    case = submit(world, user=resident, reporter_name="赵春华", reporter_phone="13912345678", title="门口水管漏水", category="minsheng-utilities")
    staff = village_staff(world, case.area_id)
    for action, params in (("accept", {"plan": "两天内修复"}), ("dispatch", {}), ("claim", {}), ("resolve", {"result": "已更换水管接头"})):
        case = do_case_action(case, action, staff, params)
    ctx = chromium.new_context(**PHONE, locale="zh-CN")
    page = ctx.new_page()
    login(page, live_server.url, resident)
    page.goto(f"{live_server.url}/cases/{case.number}/")
    assert "13912345678" in page.inner_text("main") and "赵春华" in page.inner_text("main")  # their own, unmasked
    page.click("summary:has-text('评单')")
    page.select_option("details[open] select[name=rating]", "unsatisfied")
    page.fill("details[open] textarea[name=note]", "接头还在渗水，地面一直是湿的")
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/rate-with-comment-phone.png", full_page=True)
    page.click("details[open] button[type=submit]")
    page.wait_for_selector(".msg.success")
    expect(page.locator("ol.record")).to_contain_text("接头还在渗水，地面一直是湿的")  # the comment beside the rating in the record
    case = Case.objects.get(pk=case.pk)
    assert case.state == "handling" and case.reopen_count == 1
    ctx.close()
