"""In Chromium, the administrator reaches 数据导入 from the menu, uploads an area file with one bad row, reads the error,
and explicitly imports only the valid rows — on a desktop and on a 390 px phone."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from jiceng.areas.models import Area
from tests.accounts.imports.helpers import new_township, xlsx_bytes

from .conftest import PHONE, login

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("JICENG_SHOTS", "/tmp/registry-shots")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_administrator_imports_only_the_valid_rows(world, live_server, chromium, device, tmp_path):
    township, village = new_township(world)
    path = tmp_path / "区划.xlsx"
    path.write_bytes(xlsx_bytes("areas", [[township, "新建镇", ""], [village, "新建村", ""], ["43110", "坏代码", ""]]))
    ctx = chromium.new_context(**(PHONE if device == "phone" else {"viewport": {"width": 1280, "height": 800}}), locale="zh-CN")
    page = ctx.new_page()
    login(page, live_server.url, world.users["admin"])
    if device == "phone":
        page.click(".menu-toggle")
    page.click("#site-nav a:has-text('数据导入')")
    page.wait_for_url("**/registry/import/")
    page.click("nav.tabs a:has-text('用户')")
    expect(page.locator("details")).to_contain_text("角色")
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/registry-import-form-{device}.png", full_page=True)
    page.click("nav.tabs a:has-text('区划')")
    page.set_input_files("#i-file", str(path))
    page.click("button:has-text('上传并预览')")
    expect(page.locator(".msg.error")).to_contain_text("文件中有 1 处错误")
    expect(page.locator("table")).to_contain_text("必须是12位数字")
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/registry-import-preview-{device}.png", full_page=True)
    page.click("button:has-text('只导入无误的行')")
    expect(page.locator(".msg.success")).to_contain_text("已导入区划：新增 2 条")
    page.screenshot(path=f"{SHOTS}/registry-import-done-{device}.png", full_page=True)
    assert Area.objects.filter(code__in=[township, village]).count() == 2
    ctx.close()
