"""The roster import through the web page and the REST API: row errors shown, nothing written; a clean file imported."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jiceng.people.importer import LABELS
from jiceng.people.models import Person

from tests.api.helpers import client_for

from .helpers import new_id


def workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([LABELS[f] for f in ("id_number", "name", "phone", "village", "tags", "valid_from")])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_web_import_lists_row_errors_then_imports(world):
    village = world.villages[-1]
    client = client_for(world.users[f"cun-{village.code}"])
    bad = workbook([[new_id(), "甲", "13800000000", village.code, "低保", "2026-01-01"], ["123", "乙", "", village.code, "", ""]])
    page = client.post("/people/import/", {"source": "名册", "file": SimpleUploadedFile("a.xlsx", bad)}).content.decode()
    assert "导入未执行" in page and "身份证号码应为18位" in page and Person.objects.count() == 0
    good = workbook([[new_id(), "甲", "13800000000", village.code, "低保", "2026-01-01"]])
    page = client.post("/people/import/", {"source": "名册", "file": SimpleUploadedFile("a.xlsx", good)}).content.decode()
    assert "导入完成" in page and Person.objects.count() == 1


def test_rest_import_answers_400_with_every_row_error(world):
    village = world.villages[-1]
    client = client_for(world.users[f"cun-{village.code}"])
    bad = workbook([["123", "乙", "", village.code, "", ""], [new_id(), "", "", village.code, "", ""]])
    response = client.post("/api/v1/people/import", {"source": "名册", "file": SimpleUploadedFile("a.xlsx", bad)})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected" and [(e["row"], e["column"]) for e in body["errors"]] == [(2, "身份证号码"), (3, "姓名")]
    good = workbook([[new_id(), "甲", "", village.code, "独居老人", "2026-01-01"]])
    response = client.post("/api/v1/people/import", {"source": "名册", "file": SimpleUploadedFile("a.xlsx", good)})
    assert response.status_code == 200 and response.json()["created"] == 1 and response.json()["tags_created"] == 1


def test_rest_registration_dedups_and_errors_name_the_field(world):
    village = world.villages[-1]
    client = client_for(world.users[f"cun-{village.code}"])
    number = new_id()
    first = client.post("/api/v1/people", {"id_number": number, "name": "甲", "area": village.code}, content_type="application/json")
    again = client.post("/api/v1/people", {"id_number": number, "name": "甲", "area": village.code, "phone": "13800000001"},
                        content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    bad = client.post("/api/v1/people", {"id_number": number[:17] + "Y", "name": "甲", "area": village.code}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "id_number" and "第18位" in bad.json()["message"]
    held = client.get("/api/v1/tags/held", {"kind": "dibao", "on": "2026-03-01"})
    assert held.status_code == 200 and held.json()["items"] == []
