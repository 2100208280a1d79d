"""``POST /api/v1/imports/{kind}`` (multipart) and ``GET /api/v1/imports/templates/{kind}``: counts and row errors as JSON."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jiceng.areas.models import Area
from jiceng.cases.models import Case

from tests.accounts.imports.helpers import csv_bytes, new_township
from tests.cases.imports.helpers import csv_bytes as cases_csv
from tests.cases.imports.helpers import row as case_row

from .helpers import client_for


def _post(client, kind, data, name="a.csv", **form):
    return client.post(f"/api/v1/imports/{kind}", {"file": SimpleUploadedFile(name, data), **form})


def test_registry_kind_counts_and_is_idempotent(world):
    client = client_for(world.users["admin"])
    township, village = new_township(world)
    data = csv_bytes("areas", [[township, "新建镇", ""], [village, "新建村", ""]], "gbk")
    first = _post(client, "areas", data)
    assert first.status_code == 200, first.content
    assert {k: first.json()[k] for k in ("kind", "rows", "created", "updated", "unchanged", "rejected")} == {
        "kind": "areas", "rows": 2, "created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert _post(client, "areas", data).json()["unchanged"] == 2


def test_rejected_file_answers_400_with_every_row_error(world):
    client = client_for(world.users["admin"])
    township, village = new_township(world)
    response = _post(client, "areas", csv_bytes("areas", [[township, "", ""], [village, "新建村", ""]]))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected" and body["error_count"] == 2
    assert body["errors"][0] == {"row": 2, "column": "名称", "message": "不能为空"}
    assert not Area.objects.filter(code__in=[township, village]).exists()
    partial = _post(client, "areas", csv_bytes("areas", [[township, "新建镇", ""], ["43", "坏", ""]]), valid_only="true")
    assert partial.status_code == 200 and partial.json()["created"] == 1 and partial.json()["errors"][0]["row"] == 3


def test_cases_kind_uses_the_case_importer(world):
    client = client_for(world.users["admin"])
    data = cases_csv([case_row(world, number="R1")])
    first = _post(client, "cases", data)
    assert first.status_code == 200 and first.json()["created"] == 1 and Case.objects.count() == 1
    assert _post(client, "cases", data).json()["unchanged"] == 1 and Case.objects.count() == 1
    bad = _post(client, "cases", cases_csv([case_row(world, channel="飞鸽传书")]))
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "来源渠道"
    assert _post(client, "cases", data, valid_only="true").status_code == 400


def test_templates_and_an_unknown_kind(world):
    client = client_for(world.users["admin"])
    for kind, first in (("units", "单位代码"), ("users", "用户名"), ("cases", "编号")):
        response = client.get(f"/api/v1/imports/templates/{kind}")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert load_workbook(io.BytesIO(response.content)).active["A1"].value == first
    unknown = _post(client, "planets", b"a\n")
    assert unknown.status_code == 404 and "可选" in unknown.json()["message"]
