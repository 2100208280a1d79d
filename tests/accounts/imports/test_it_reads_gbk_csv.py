"""A CSV saved by Excel on Chinese Windows (GBK) is read; a file in no known encoding is refused clearly."""

from __future__ import annotations

import pytest

from jiceng.accounts.imports import do_import_registry
from jiceng.areas.models import Area
from jiceng.tabular import TabularError

from .helpers import csv_bytes, new_township


def test_gbk_csv_imports(world):
    township, village = new_township(world)
    data = csv_bytes("areas", [[township, "新建镇", ""], [village, "新建村", ""]], "gbk")
    summary = do_import_registry(world.users["admin"], "areas", data, "区划.csv")
    assert summary.created == 2 and Area.objects.get(code=village).name == "新建村"


def test_undecodable_csv_is_refused_in_chinese(world):
    with pytest.raises(TabularError) as caught:
        do_import_registry(world.users["admin"], "areas", b"\xff\xfe\xff\xff,\x81\x30\n", "a.csv")
    assert "编码" in caught.value.message or "二进制" in caught.value.message
    assert Area.objects.filter(name__startswith="新建").count() == 0
