"""A grid worker on a phone-sized Chromium logs an overdue patrol with a photo and a finding, then opens a case from it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from jiceng.programmes.models import PlanKind, Visit
from jiceng.programmes.visits import PlanInput, do_create_plan

from tests.browser.test_case_page_in_chromium import browser  # noqa: F401 - the shared Chromium fixture

from .helpers import staff_of

pytestmark = pytest.mark.django_db(transaction=True)


def _png() -> bytes:
    import struct
    import zlib

    raw = b"\x00\xff\x00\x00"  # one red pixel
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_a_worker_logs_a_patrol_and_opens_a_case_on_a_phone(world, live_server, browser, tmp_path, settings):  # noqa: F811
    village = world.villages[-1]
    do_create_plan(staff_of(world), PlanInput("农田巡查", PlanKind.PATROL, village, starts=timezone.localdate() - dt.timedelta(days=9),
                                              interval_days=7))
    worker = world.grids_by_village[village.code][0].workers.first()
    worker.set_password("browser-test-pw")
    worker.save()
    photo = tmp_path / "ditch.png"
    photo.write_bytes(_png())
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", worker.username)
    page.fill("#id_password", "browser-test-pw")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/programmes/mine/")
    assert "已逾期 2 天" in page.content()
    page.click("text=登记走访")
    page.fill("textarea[name=findings]", "排水渠被塌方堵塞约十米")
    page.check("input[name=needs_action]")
    page.set_input_files("input[name=photos]", str(photo))
    page.fill("input[name=lat]", "26.42")
    page.fill("input[name=lon]", "111.61")
    page.click("form button:has-text('提交')")
    page.wait_for_selector("text=转为工单")
    visit = Visit.objects.get()
    assert visit.findings == "排水渠被塌方堵塞约十米" and visit.photos.count() == 1 and visit.lat == 26.42
    page.select_option("select[name=category]", "minsheng-environment")
    page.click("form button:has-text('转为工单')")
    page.wait_for_url("**/cases/**")
    visit.refresh_from_db()
    assert visit.case is not None and "排水渠被塌方堵塞" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # nothing wider than the phone
