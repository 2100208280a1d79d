import io
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from .helpers import CLOSED_LOOP, walk


@pytest.fixture
def october(world):
    walk(world, CLOSED_LOOP)
    walk(world, ["accept", "dispatch", "claim", "supervise"])
    from jiceng.accounts.models import Role, User

    camera = User.objects.create(username="camera-key", role=Role.INTEGRATION)
    walk(world, [], category="yujing-campus", channel="sensor", user=camera,
         fields={"device_id": "CAM-9", "alert_type": "攀爬", "school": "潇湘小学"})
    return world


def _run(world, fmt, tmp_path, area=None):
    out = tmp_path / f"r.{fmt}"
    call_command("report", "monthly", "--area", area or world.county.code[:6], "--period", "2026-10", "--format", fmt,
                 "--output", str(out), stdout=io.StringIO())
    return out


def test_html_report_has_the_figures_and_the_alert_sites(october, tmp_path):
    html = _run(october, "html", tmp_path).read_text("utf-8")
    assert "社会治理月报（2026年10月）" in html
    assert "潇湘小学" in html and "攀爬" in html
    assert "响应率" in html and "环比" in html


def test_xlsx_report_has_sheets_with_chinese_headers(october, tmp_path):
    wb = load_workbook(_run(october, "xlsx", tmp_path))
    assert {"指标", "按类别", "预警点位", "单位排名", "图表"} <= set(wb.sheetnames)
    assert wb["指标"]["A2"].value == "指标"
    assert wb["预警点位"]["A2"].value == "潇湘小学" and wb["预警点位"]["A3"].value == "合计"


def test_pdf_report_embeds_the_cjk_font_and_its_text_is_chinese(october, tmp_path):
    pdf = _run(october, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "JicengReportCJK" in fonts and " yes yes " in fonts  # the vendored subset, embedded
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "主要指标" in text and "智能预警点位" in text


def test_a_township_report_by_its_nine_digit_code(october, tmp_path):
    township = october.townships[0]
    assert "社会治理月报" in _run(october, "html", tmp_path, area=township.code[:9]).read_text("utf-8")


def test_bad_area_or_period_is_refused_in_chinese(world, tmp_path):
    with pytest.raises(CommandError, match="地区代码"):
        call_command("report", "monthly", "--area", "12345", "--output", str(tmp_path / "x"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="不存在"):
        call_command("report", "monthly", "--area", "999999", "--output", str(tmp_path / "x"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="统计期"):
        call_command("report", "weekly", "--area", world.county.code[:6], "--period", "2026-99",
                     "--output", str(tmp_path / "x"), stdout=io.StringIO())
