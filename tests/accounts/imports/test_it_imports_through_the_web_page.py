"""The page: upload → preview with counts and every error → confirm all, or explicitly only the valid rows."""

from __future__ import annotations

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jiceng.areas.models import Area

from tests.api.helpers import client_for

from .helpers import csv_bytes, new_township, xlsx_bytes


def _token(page: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)


def test_preview_then_confirm(world):
    client = client_for(world.users["admin"])
    assert 'href="/registry/import/"' in client.get("/").content.decode()  # reachable from the menu
    township, village = new_township(world)
    data = csv_bytes("areas", [[township, "新建镇", ""], [village, "新建村", ""]], "gbk")
    page = client.post("/registry/import/", {"kind": "areas", "file": SimpleUploadedFile("区划.csv", data)}).content.decode()
    assert "新增 2" in page and "确认导入" in page and not Area.objects.filter(code=township).exists()
    page = client.post("/registry/import/", {"confirm": "all", "token": _token(page)}).content.decode()
    assert "已导入区划：新增 2 条" in page and Area.objects.filter(code__in=[township, village]).count() == 2
    again = client.post("/registry/import/", {"confirm": "all", "token": "0" * 32}).content.decode()
    assert "预览已过期" in again


def test_errors_are_listed_and_only_valid_rows_on_request(world):
    client = client_for(world.users["admin"])
    township, village = new_township(world)
    data = xlsx_bytes("areas", [[township, "新建镇", ""], [village, "=1+1", ""]])
    page = client.post("/registry/import/", {"kind": "areas", "file": SimpleUploadedFile("a.xlsx", data)}).content.decode()
    assert "文件中有 1 处错误" in page and "像是公式" in page and 'value="all"' not in page
    assert "只导入无误的行（写入 1 条）" in page
    report = load_workbook(io.BytesIO(client.get("/registry/import/?errors=1").content)).active
    assert report["A1"].value == "原行号" and report["B2"].value == village and report["C2"].value == "'=1+1"
    # Confirming all is not offered; forcing it is refused whole by the domain.
    token = _token(page)
    refused = client.post("/registry/import/", {"confirm": "all", "token": token}).content.decode()
    assert "一行也没有写入" in refused and not Area.objects.filter(code=township).exists()
    page = client.post("/registry/import/", {"kind": "areas", "file": SimpleUploadedFile("a.xlsx", data)}).content.decode()
    done = client.post("/registry/import/", {"confirm": "valid_only", "token": _token(page)}).content.decode()
    assert "已导入区划：新增 1 条" in done and "1 行有错误未导入" in done
    assert Area.objects.filter(code=township).exists() and not Area.objects.filter(code=village).exists()


def test_template_download(world):
    client = client_for(world.users["admin"])
    response = client.get("/registry/import/?template=grids")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.active.title == "网格" and wb.active["A1"].value == "网格代码" and wb.sheetnames == ["网格", "说明"]
    assert client.get("/registry/import/?template=planets").status_code == 200  # a Chinese message, not a 500
