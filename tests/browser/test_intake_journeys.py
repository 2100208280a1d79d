"""Journeys of issue 11 in a real Chromium: a resident reports from a phone with a photo and GPS, a failed
submission keeps what was typed, a village handles a matter itself, and a case climbs to the county's
dispatch centre, a department resolves it and the centre closes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from jiceng.areas.models import Grid
from jiceng.cases.models import Case
from jiceng.cases.verify import iter_problems
from tests.cases.helpers import handling_case, submit, village_staff

from .conftest import PHONE, login, photo_png

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_reports_from_a_phone_with_a_photo_and_gps(world, live_server, chromium):
    village = world.villages[-1]
    grid = Grid.objects.filter(area=village).order_by("code").first()
    resident = world.users["resident-2"]
    ctx = chromium.new_context(**PHONE, locale="zh-CN", geolocation={"latitude": grid.centroid_lat, "longitude": grid.centroid_lon},
                               permissions=["geolocation"])
    page = ctx.new_page()
    login(page, live_server.url, resident)
    page.goto(f"{live_server.url}/cases/new/")
    assert page.locator("#f-channel").count() == 0 and page.locator("#f-reporter_id_number").count() == 0, "no staff fields for residents"
    assert page.input_value("#f-reporter_name") == resident.display_name
    assert page.get_attribute("#f-files", "accept") == "image/*" and page.get_attribute("#f-files", "capture") == "environment"
    assert "预警" not in page.inner_text("#f-category"), "alert categories are for devices"
    page.fill("#f-category-search", "路灯")
    expect(page.locator("#f-category")).to_have_value("minsheng-road")  # 路灯 is a word of 道路交通
    page.fill("#f-title", "村口路灯不亮")
    page.fill("#f-description", "村口三盏路灯坏了一周，晚上很黑")
    page.click("#use-gps")
    expect(page.locator("#f-area")).to_have_value(village.code)
    expect(page.locator("#f-grid")).to_have_value(str(grid.pk))
    page.set_input_files("#f-files", files=[{"name": "路灯.png", "mimeType": "image/png", "buffer": photo_png()}])
    page.screenshot(path="/tmp/web-intake-shots/resident-form-phone.png", full_page=True)
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt")
    case = Case.objects.get(title="村口路灯不亮")
    assert (case.area_id, case.grid_id, case.reporter_id, case.channel) == (village.code, grid.pk, resident.pk, "web")
    assert case.attachments.get().name == "路灯.png"
    receipt = page.inner_text("#receipt")
    assert case.number in receipt and case.query_code in receipt
    assert page.locator("#receipt .qr img").get_attribute("src").startswith("data:image/svg+xml")
    page.screenshot(path="/tmp/web-intake-shots/receipt-phone.png", full_page=True)
    ctx.close()


def test_a_failed_submission_keeps_everything_and_names_the_field_in_chinese(world, live_server, chromium):
    village = world.villages[-1]
    grid = Grid.objects.filter(area=village).order_by("code").last()
    worker = world.users[f"grid-{village.code}001"]
    page = chromium.new_page(locale="zh-CN")
    login(page, live_server.url, worker)
    page.goto(f"{live_server.url}/cases/new/")
    own = Grid.objects.filter(workers=worker).first()
    assert page.input_value("#f-area") == own.area_id and page.input_value("#f-grid") == str(own.pk), "a grid worker's own grid is preselected"
    assert page.input_value("#f-reporter_name") == worker.display_name and page.input_value("#f-channel") == "patrol"
    page.select_option("#f-category", "yinhuan-fire")
    page.wait_for_selector("#f-hazard_level")
    page.wait_for_load_state("networkidle")
    page.select_option("#f-hazard_level", "一般")
    page.select_option("#f-grid", str(grid.pk))
    page.fill("#f-title", "楼道电动车充电")
    page.fill("#f-description", "三楼楼道飞线充电")
    page.set_input_files("#f-files", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": photo_png()}])
    page.click("button[type=submit]")  # the rectification date is missing
    error = page.inner_text("#form-error")
    assert "整改期限" in error and "fields." not in error and "rectify_by" not in error
    assert "现场.png" in page.inner_text("#files-again"), "the lost file is asked for again by name"
    assert page.input_value("#f-title") == "楼道电动车充电" and page.input_value("#f-description") == "三楼楼道飞线充电"
    assert page.input_value("#f-category") == "yinhuan-fire" and page.input_value("#f-hazard_level") == "一般"
    assert page.input_value("#f-area") == village.code and page.input_value("#f-grid") == str(grid.pk)
    page.screenshot(path="/tmp/web-intake-shots/failed-submission-desktop.png", full_page=True)
    page.fill("#f-rectify_by", "2026-12-30")
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt")
    assert Case.objects.get(title="楼道电动车充电").grid_id == grid.pk


def test_a_village_handles_a_matter_itself(world, live_server, chromium):
    case = submit(world)
    page = chromium.new_page(locale="zh-CN")
    login(page, live_server.url, village_staff(world, case.area_id))
    page.goto(f"{live_server.url}/cases/{case.number}/")
    page.click("summary:has-text('村级自办')")
    page.fill("details[open] textarea[name=plan]", "村委会当天更换灯泡")
    page.click("details[open] button[type=submit]")
    page.wait_for_selector(".msg.success")
    case.refresh_from_db()
    assert case.state == "handling" and case.unit.kind_id == "village_committee"
    assert "承诺办结" in page.inner_text("#deadlines") or "Promised" in page.inner_text("#deadlines")


def _act(page, base: str, case: Case, summary: str, fill: dict | None = None, select: dict | None = None) -> None:
    page.goto(f"{base}/cases/{case.number}/")
    page.click(f"summary:has-text('{summary}')")
    for name, value in (fill or {}).items():
        page.fill(f'details[open] [name="{name}"]', value)
    for name, value in (select or {}).items():
        page.select_option(f'details[open] select[name="{name}"]', value)
    page.click("details[open] button[type=submit]")
    page.wait_for_selector(".msg")
    assert not page.locator(".msg.error").count(), page.inner_text(".msg.error")


def test_a_case_climbs_to_the_dispatch_centre_a_department_resolves_it_and_the_centre_closes_it(world, live_server, chromium):
    case = handling_case(world, category="jiufen-land", fields={"parties": ["李建国", "王志勇"]})
    base = live_server.url
    township = world.users[f"tz-{case.area_id[6:9]}"]
    centre, department = world.users["county-centre"], world.users["county-natural_resources"]
    steps = [
        (village_staff(world, case.area_id), "上报", {"note": "村调解不成"}, None),
        (township, "签收", None, None),
        (township, "上报", {"note": "涉及山林权属确权"}, None),  # no department chosen: to the dispatch centre
        (centre, "派单", None, {"unit_id": str(world.unit("natural_resources", world.county.code).pk)}),
        (department, "签收", None, None),
        (department, "办结", {"result": "已确权到户"}, {"fields.mediation_result": "调解成功"}),
        (centre, "评单", None, {"rating": "satisfied"}),  # the return visit
        (centre, "销号", None, None),
    ]
    for user, summary, fill, select in steps:
        page = chromium.new_page(locale="zh-CN")
        login(page, base, user)
        case.refresh_from_db()
        _act(page, base, case, summary, fill, select)
        if summary == "上报" and user == township:
            case.refresh_from_db()
            assert (case.level, case.state, case.unit_id) == ("county", "accepted", None)
            page.screenshot(path="/tmp/web-intake-shots/at-the-centre-desktop.png", full_page=True)
        page.close()
    case.refresh_from_db()
    assert case.state == "closed" and case.resolved_level == "county"
    actors = list(case.events.order_by("seq").values_list("action", "actor__username"))
    assert ("dispatch", "county-centre") in actors and ("close", "county-centre") in actors
    assert list(iter_problems()) == []
