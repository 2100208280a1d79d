"""The templates the platform offers: Chinese headers, an example row, a 说明 sheet — and they import, in order."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from jiceng.accounts.imports import KINDS, do_import_registry, registry_template
from jiceng.accounts.models import User
from jiceng.areas.models import Grid


def test_each_template_has_chinese_headers_and_notes(world):
    admin = world.users["admin"]
    for key, kind in KINDS.items():
        wb = load_workbook(io.BytesIO(registry_template(admin, key)))
        data, notes = wb.worksheets
        header = [c.value for c in data[1]]
        assert header == [h[0] for h in kind.columns.values()]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header)
        assert data.max_row >= 2 and notes.title == "说明" and "必填" in notes["A2"].value


def test_the_four_templates_import_one_after_another_and_again(world):
    admin = world.users["admin"]
    for key in ("areas", "units", "grids", "users"):
        first = do_import_registry(admin, key, registry_template(admin, key), f"{key}.xlsx")
        assert first.created == first.rows and not first.errors, key
        again = do_import_registry(admin, key, registry_template(admin, key), f"{key}.xlsx")
        assert again.unchanged == again.rows, key
    worker = User.objects.get(username="grid-431102398201001")
    assert list(worker.grids.all()) == [Grid.objects.get(code="431102398201001")]
