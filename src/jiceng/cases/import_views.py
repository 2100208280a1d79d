"""The web page for importing historical cases: upload → preview (counts and every error) → confirm.

Thin: ``importer.do_import_cases`` decides (capability, area scope, every row's rules); this view keeps
the uploaded file between preview and confirmation in the data directory under a random token tied to
the user's session, and shows what the domain says.
"""

from __future__ import annotations

import io
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, can
from jiceng.errors import DomainError
from jiceng.spreadsheet import excel_value
from jiceng.tabular import MAX_ERRORS_SHOWN, ImportRejected, RowError

from .importer import COLUMNS, LABELS, REQUIRED, do_import_cases, read_cases_file, template_rows

SESSION_KEY = "case_import"
REPORT_KEY = "case_import_errors"
REPORT_MAX = 10_000  # kept in the session; the command line lists every error of any file
HELD_SECONDS = 24 * 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _held(token: str) -> Path:
    return Path(settings.DATA_DIR) / "imports" / token


def _keep(request: HttpRequest, data: bytes, name: str) -> str:
    """Hold the uploaded bytes until the user confirms; only this session can name them.

    A session holds one file at a time; files of previews nobody confirmed are removed after a day.
    """
    _drop(request)
    token = secrets.token_hex(16)
    path = _held(token)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    stale = time.time() - HELD_SECONDS
    for old in path.parent.iterdir():
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    path.write_bytes(data)
    request.session[SESSION_KEY] = {"token": token, "name": name}
    return token


def _take(request: HttpRequest, token: str) -> tuple[bytes, str]:
    held = request.session.get(SESSION_KEY) or {}
    if not token or held.get("token") != token or not _held(token).exists():
        raise DomainError(_("预览已过期，请重新上传文件"), field="file")
    return _held(token).read_bytes(), held["name"]


def _drop(request: HttpRequest) -> None:
    held = request.session.pop(SESSION_KEY, None) or {}
    if held.get("token"):
        _held(held["token"]).unlink(missing_ok=True)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _error_report(errors: list) -> bytes:
    """Every bad row (not only the first 200 the page shows) as a workbook the office can work through."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("错误报告")
    ws.append([_("行"), _("列"), _("错误")])
    for e in errors:
        ws.append([e.row, excel_value(e.column), excel_value(e.message)])
    ws.freeze_panes = "A2"
    ws.column_dimensions["C"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _keep_report(request: HttpRequest, errors: list) -> None:
    """The error report of the last rejected upload, for this session only (the file itself is not kept)."""
    request.session[REPORT_KEY] = [[e.row, e.column, e.message] for e in errors[:REPORT_MAX]]


def _template() -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("历史工单")
    for r in template_rows():
        ws.append([excel_value(v) for v in r])
    for col in ws.columns:
        col[0].number_format = "@"
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return _xlsx_response(out.getvalue(), "case-import-template.xlsx")


@login_required
def import_cases(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.DISPATCH):
        raise PermissionDenied
    if request.GET.get("template") == "1":
        return _template()
    if request.GET.get("report") == "1" and request.session.get(REPORT_KEY):
        errors = [RowError(*e) for e in request.session[REPORT_KEY]]
        return _xlsx_response(_error_report(errors), "case-import-errors.xlsx")
    ctx: dict = {"columns": [(LABELS[f], f in REQUIRED) for f in COLUMNS]}
    if request.method == "POST":
        try:
            if request.POST.get("confirm"):
                data, name = _take(request, request.POST.get("token", ""))
                ctx["result"] = do_import_cases(request.user, read_cases_file(data, name))
                _drop(request)
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise DomainError(_("请选择要导入的文件"), field="file")
                data, name = upload.read(), upload.name or ""
                ctx["preview"] = do_import_cases(request.user, read_cases_file(data, name), dry_run=True)
                ctx["file_name"] = name
                if ctx["preview"].created:
                    ctx["token"] = _keep(request, data, name)
        except ImportRejected as exc:
            _drop(request)
            ctx["errors"], ctx["error_count"] = exc.errors[:MAX_ERRORS_SHOWN], len(exc.errors)
            _keep_report(request, exc.errors)
        except DomainError as exc:
            ctx["error"] = exc.message
    return render(request, "cases/import.html", ctx)
