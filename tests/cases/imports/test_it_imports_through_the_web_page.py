"""The import page: upload → preview with counts and every error → confirm; the same rules as the command line."""

from __future__ import annotations

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jiceng.cases.models import Case
from jiceng.cases.verify import iter_problems

from tests.api.helpers import client_for

from .helpers import csv_bytes, row


def _token(page: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)


def test_preview_then_confirm_imports_the_file(world):
    township = world.townships[0]
    mine = [v for v in world.villages if v.code.startswith(township.code[:9])]
    client = client_for(world.users[f"tz-{township.code[6:9]}"])
    data = csv_bytes([row(world, village=mine[0], number="W1"), row(world, village=mine[-1], number="W2", rating="")], "gb18030")
    page = client.post("/cases/import/", {"file": SimpleUploadedFile("历史.csv", data)}).content.decode()
    assert "将导入 2 件历史工单" in page and mine[0].name in page and Case.objects.count() == 0
    page = client.post("/cases/import/", {"confirm": "1", "token": _token(page)}).content.decode()
    assert "已导入 2 件历史工单" in page and Case.objects.count() == 2
    assert list(iter_problems(files=False, anchors=False)) == []
    # The token was used up: confirming again imports nothing and says why.
    again = client.post("/cases/import/", {"confirm": "1", "token": "0" * 32}).content.decode()
    assert "预览已过期" in again and Case.objects.count() == 2


def test_errors_are_listed_and_another_townships_village_is_refused(world):
    own, other = world.townships
    theirs = next(v for v in world.villages if v.code.startswith(other.code[:9]))
    client = client_for(world.users[f"tz-{own.code[6:9]}"])
    data = csv_bytes([row(world, village=theirs), row(world, channel="飞鸽传书")])
    page = client.post("/cases/import/", {"file": SimpleUploadedFile("a.csv", data)}).content.decode()
    assert "导入未执行：文件中有 2 处错误" in page
    assert "不在您的辖区内" in page and "飞鸽传书" in page and 'name="token"' not in page
    assert Case.objects.count() == 0
    report = load_workbook(io.BytesIO(client.get("/cases/import/?report=1").content)).active
    assert [[c.value for c in r][:2] for r in report.iter_rows(min_row=2)] == [[2, "村/社区"], [3, "来源渠道"]]


def test_an_unreadable_file_is_a_message_not_a_500(world):
    client = client_for(world.users["admin"])
    response = client.post("/cases/import/", {"file": SimpleUploadedFile("a.xlsx", b"not a zip")})
    assert response.status_code == 200 and "无法读取 Excel 文件" in response.content.decode()


def test_staff_without_dispatch_get_403_and_the_template_downloads(world):
    assert client_for(world.users["resident-1"]).get("/cases/import/").status_code == 403
    response = client_for(world.users["admin"]).get("/cases/import/?template=1")
    header = [c.value for c in load_workbook(io.BytesIO(response.content)).active[1]]
    assert header[:4] == ["编号", "标题", "描述", "分类"]
