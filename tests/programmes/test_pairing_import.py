"""Pairing import: all rows or none, the limit counted across the file and the helper's current pairings."""

from __future__ import annotations

import pytest

from jiceng.people.importer import ImportRejected
from jiceng.programmes.importer import do_import_pairings
from jiceng.programmes.models import Pairing
from jiceng.programmes.pairing import do_pair

from .helpers import household, party_scheme, staff_of


def test_limit_across_the_file_and_nothing_written_on_error(world):
    staff = staff_of(world)
    homes = [household(world) for _ in range(4)]
    do_pair(staff, scheme=party_scheme(), helper=world.users["resident-7"], household=homes[0])
    rows = [{"household": h.number, "helper": "resident-7", "scheme": "党员包户"} for h in homes[1:]]
    with pytest.raises(ImportRejected) as exc:
        do_import_pairings(staff, rows)
    assert [(e.row, e.column) for e in exc.value.errors] == [(4, "帮扶人账号")] and "上限" in exc.value.errors[0].message
    assert Pairing.objects.count() == 1
    rows[2]["helper"] = "resident-8"
    rows.append({"household": "不存在", "helper": "nobody"})
    with pytest.raises(ImportRejected) as exc:
        do_import_pairings(staff, rows)
    assert [(e.row, e.column) for e in exc.value.errors] == [(5, "户编号"), (5, "帮扶人账号")]
    assert do_import_pairings(staff, rows[:3]) == 3
    assert Pairing.objects.filter(helper=world.users["resident-7"], ended__isnull=True).count() == 3


def test_pairing_import_through_web_and_rest(world):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from tests.api.helpers import client_for

    staff = staff_of(world)
    homes = [household(world) for _ in range(2)]

    def sheet(rows):
        wb = Workbook()
        wb.active.append(["户编号", "帮扶人账号"])
        for r in rows:
            wb.active.append(r)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    client = client_for(staff)
    bad = client.post("/api/v1/programmes/pairings/import", {"file": SimpleUploadedFile("p.xlsx", sheet([[homes[0].number, "nobody"]]))})
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "帮扶人账号"
    ok = client.post("/api/v1/programmes/pairings/import", {"file": SimpleUploadedFile("p.xlsx", sheet([[homes[0].number, "resident-9"]]))})
    assert ok.status_code == 200 and ok.json()["created"] == 1
    page = client.post("/programmes/pairings/", {"file": SimpleUploadedFile("p.xlsx", sheet([[homes[1].number, "resident-9"]]))}, follow=True)
    assert "已导入结对 1 对" in page.content.decode()
