"""REST imports: ``POST /api/v1/imports/{kind}`` (multipart ``file``) and ``GET /api/v1/imports/templates/{kind}``.

Kinds: ``cases`` (historical cases, ``cases.importer``) and the registry kinds ``areas``, ``units``,
``grids``, ``users`` (``accounts.imports``). This module only translates: the importers decide who
may import, check every row and write; a rejected file answers 400 with every row error as JSON.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from jiceng.accounts.capabilities import Capability, require
from jiceng.accounts.imports import do_import_registry, registry_template, template_workbook
from jiceng.cases import importer as cases_importer
from jiceng.errors import InvalidInput
from jiceng.schemas import ErrorOut

router = Router(tags=["imports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    dry_run: bool
    new_users: list[str]
    errors: list[RowErrorOut]
    error_count: int


def _cases(request: HttpRequest, data: bytes, name: str, dry_run: bool, valid_only: bool) -> dict[str, Any]:
    if valid_only:
        raise InvalidInput(_("历史工单只能整个文件导入，不支持只导入无误的行"), field="valid_only")
    summary = cases_importer.do_import_cases(request.user, cases_importer.read_cases_file(data, name), dry_run=dry_run)
    return {"kind": "cases", "rows": summary.rows, "created": summary.created, "updated": 0, "unchanged": summary.skipped,
            "rejected": 0, "dry_run": dry_run, "new_users": [], "errors": [], "error_count": 0}


@router.post("/imports/{kind}", response={200: ImportOut, **ERRORS},
             summary="Import a spreadsheet: cases, areas, units, grids or users (all rows or none unless valid_only)")
def import_file(request: HttpRequest, kind: str, file: UploadedFile = File(...), dry_run: Form[bool] = False,
                valid_only: Form[bool] = False):
    data, name = file.read(), file.name or ""
    if kind == "cases":
        return _cases(request, data, name, dry_run, valid_only)
    return do_import_registry(request.user, kind, data, name, dry_run=dry_run, valid_only=valid_only).as_dict()


@router.get("/imports/templates/{kind}", response={200: None, **ERRORS}, summary="The .xlsx template of an import kind")
def import_template(request: HttpRequest, kind: str):
    if kind == "cases":
        require(request.user, Capability.DISPATCH)
        rows = cases_importer.template_rows()
        content = template_workbook(_("历史工单"), rows[0], rows[1:], [], [cases_importer.LABELS[f] for f in cases_importer.REQUIRED])
    else:
        content = registry_template(request.user, kind)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


