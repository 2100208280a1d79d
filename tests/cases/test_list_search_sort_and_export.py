"""The case list searches a reporter's phone for staff only, filters by urgency and channel, sorts, counts and exports what it shows."""

from __future__ import annotations

import io
from datetime import datetime, timezone as tz

import pytest
from openpyxl import load_workbook

from jiceng.cases import access
from jiceng.cases.filters import SORTS, ordered, sorted_page
from jiceng.cases.models import Case
from jiceng.demo.cases import generate_cases
from tests.api.helpers import client_for

from .helpers import submit, village_staff

pytestmark = pytest.mark.django_db


def _numbers(adapter: str, user, query: str) -> list[str] | int:
    client = client_for(user)
    if adapter == "rest":
        r = client.get(f"/api/v1/cases?{query}")
        return r.status_code if r.status_code != 200 else [c["number"] for c in r.json()["items"]]
    r = client.get(f"/cases/?{query}")
    if r.status_code == 400:
        assert "请求被拒绝" in r.content.decode()
        return 400
    assert r.status_code == 200
    page = r.content.decode()
    return [n for n in Case.objects.values_list("number", flat=True) if f'href="/cases/{n}/">{n}' in page]


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_staff_find_a_case_by_the_reporters_phone_and_an_auditor_does_not(world, adapter):
    case = submit(world, reporter_phone="13912345678")
    submit(world, reporter_phone="13800000000", title="另一件")
    staff = village_staff(world, case.area_id)
    assert _numbers(adapter, staff, "q=139-1234-5678") == [case.number]
    assert _numbers(adapter, world.users["auditor"], "q=13912345678") == []


@pytest.mark.parametrize("adapter", ["web", "rest"])
def test_it_filters_by_urgency_and_channel_and_refuses_unknown_values(world, adapter):
    urgent = submit(world, urgency="urgent", channel="hotline", title="燃气泄漏")
    submit(world, title="普通事项")
    staff = village_staff(world, urgent.area_id)
    assert _numbers(adapter, staff, "urgency=urgent") == [urgent.number]
    assert _numbers(adapter, staff, "channel=hotline") == [urgent.number]
    assert _numbers(adapter, staff, "urgency=bogus") == 400
    assert _numbers(adapter, staff, "channel=%3Cscript%3E") == 400


@pytest.mark.parametrize("sort", list(SORTS))
def test_every_sort_pages_without_gaps_or_repeats(world, sort):
    generate_cases(world, 120, seed=4, now=datetime(2026, 10, 20, tzinfo=tz.utc))
    qs = access.visible_cases(world.users["leader"])
    seen, cursor = [], ""
    while True:
        rows, cursor = sorted_page(qs, sort, cursor or "", size=13)
        seen += [c.pk for c in rows]
        if cursor is None:
            break
    assert seen == list(ordered(qs, sort).values_list("pk", flat=True)) and len(seen) == qs.count() > 100


def test_the_web_list_shows_the_total_and_exports_the_same_cases_in_excel(world):
    mine = [submit(world, title="=HYPERLINK(\"http://x\")"), submit(world, title="电话13912345678的路灯")]
    other_village = next(v for v in world.villages if v.code != mine[0].area_id)
    submit(world, village=other_village, title="别村的事")
    staff = village_staff(world, mine[0].area_id)
    client = client_for(staff)
    assert "共找到 2 件" in client.get("/cases/").content.decode()
    r = client.get("/cases/export.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][:3] == ("工单编号", "标题", "类别") and len(rows) == 3
    titles = {row[1] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in titles, "a formula is written as text"
    assert not any("13912345678" in t for t in titles), "a phone in free text is masked in the export"
    assert {row[0] for row in rows[1:]} == {c.number for c in mine}
    assert ws.freeze_panes == "A2"


def test_an_export_with_a_bad_filter_is_refused_with_the_reason(world):
    client = client_for(world.users["leader"])
    r = client.get("/cases/export.xlsx?urgency=bogus")
    assert r.status_code == 400 and "未知的紧急程度" in r.content.decode()
