import io

from openpyxl import load_workbook

from jiceng.spreadsheet import excel_value as safe_cell

from .helpers import walk

HAZARD = {"hazard_level": "重大", "rectify_by": "2026-10-30"}


def _book(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def test_hazard_ledger_has_chinese_headers_a_frozen_header_and_totals(world, client):
    walk(world, ["accept", "dispatch", "claim", "resolve", "rate:satisfied", "close"], category="yinhuan-fire", fields=HAZARD,
         resolve_fields={"measures": "更换灭火器"}, address="=HYPERLINK(\"http://x\")")
    walk(world, ["accept"], category="yinhuan-fire", fields=HAZARD)
    client.force_login(world.users["leader"])
    ws = _book(client, "/stats/ledgers/hazard/?kind=month&period=2026-10&format=xlsx")
    headers = [c.value for c in ws[2]]
    assert headers[:4] == ["工单编号", "村（社区）", "位置", "类别"] and "隐患等级" in headers and "销号时间" in headers
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["A"].width > 10
    last = [c.value for c in ws[ws.max_row]]
    assert last[0] == "合计：2 件"
    assert last[headers.index("整改完成时间")] == 1 and last[headers.index("销号时间")] == 1
    locations = [ws.cell(row=r, column=3).value for r in range(3, ws.max_row)]
    assert all(not str(v).startswith("=") for v in locations)
    assert any(str(v).startswith("'=HYPERLINK") for v in locations)


def test_cells_that_would_run_as_formulas_are_escaped():
    for text in ("=1+1", "+86", "-2", "@SUM(A1)", "\t=cmd"):
        assert safe_cell(text).startswith("'")
    assert safe_cell("张三") == "张三" and safe_cell(5) == 5


def test_dispute_ledger_masks_the_parties(world, client):
    walk(world, ["accept"], category="jiufen-neighbour", fields={"parties": ["李四光", "王五"]})
    client.force_login(world.users["leader"])
    page = client.get("/stats/ledgers/dispute/").content.decode()
    assert "李*光" in page and "李四光" not in page


def test_an_unknown_ledger_is_refused_clearly(world, client):
    client.force_login(world.users["leader"])
    response = client.get("/stats/ledgers/bogus/")
    assert response.status_code == 400
    assert "bogus" in response.content.decode()
