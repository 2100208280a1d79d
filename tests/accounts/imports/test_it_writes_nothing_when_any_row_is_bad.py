"""All or nothing: one bad row, and neither the good new rows nor the good changes are written."""

from __future__ import annotations

import pytest

from jiceng.accounts.imports import do_import_registry
from jiceng.areas.models import Area
from jiceng.tabular import ImportRejected

from .helpers import new_township, xlsx_bytes


def test_one_bad_row_rejects_the_file(world):
    admin = world.users["admin"]
    township, village = new_township(world)
    before = dict(Area.objects.values_list("code", "name"))
    rows = [[township, "新建镇", ""], [village, "新建村", ""], [world.villages[0].code, "改了名", ""], ["4311", "坏", ""]]
    with pytest.raises(ImportRejected) as caught:
        do_import_registry(admin, "areas", xlsx_bytes("areas", rows), "a.xlsx")
    assert [e.row for e in caught.value.errors] == [5]
    assert dict(Area.objects.values_list("code", "name")) == before


def test_a_dry_run_writes_nothing(world):
    admin = world.users["admin"]
    township, village = new_township(world)
    summary = do_import_registry(admin, "areas", xlsx_bytes("areas", [[township, "新建镇", ""], [village, "新建村", ""]]), "a.xlsx",
                                 dry_run=True)
    assert summary.created == 2 and not Area.objects.filter(code__in=[township, village]).exists()
