"""The registry import page: choose a kind, upload → preview (counts, every error, the error file) → confirm.

Thin: ``accounts.imports`` decides (who may import, every row's rules, what is written). The preview is
the domain's dry run with ``valid_only`` so the page can show both what is wrong and what could be
imported; importing only the valid rows is a separate, explicit button. The uploaded file is held in
the data directory under a random token tied to the session until the user confirms.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jiceng.errors import DomainError
from jiceng.tabular import MAX_ERRORS_SHOWN, ImportRejected

from .capabilities import Capability, can
from .imports import KINDS, do_import_registry, registry_template

SESSION_KEY = "registry_import"
HELD_SECONDS = 24 * 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _held(name: str) -> Path:
    return Path(settings.DATA_DIR) / "imports" / name


def _keep(request: HttpRequest, data: bytes, name: str, kind: str, error_file: bytes) -> str:
    _drop(request)
    token = secrets.token_hex(16)
    folder = _held(token).parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stale = time.time() - HELD_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    _held(token).write_bytes(data)
    if error_file:
        _held(token + ".errors.xlsx").write_bytes(error_file)
    request.session[SESSION_KEY] = {"token": token, "name": name, "kind": kind}
    return token


def _take(request: HttpRequest, token: str) -> dict:
    held = request.session.get(SESSION_KEY) or {}
    if not token or held.get("token") != token or not _held(token).exists():
        raise DomainError(_("预览已过期，请重新上传文件"), field="file")
    return held


def _drop(request: HttpRequest) -> None:
    held = request.session.pop(SESSION_KEY, None) or {}
    if held.get("token"):
        _held(held["token"]).unlink(missing_ok=True)
        _held(held["token"] + ".errors.xlsx").unlink(missing_ok=True)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _kinds() -> list[dict]:
    return [{"key": key, "label": cls.label, "columns": [(h[0], f in cls.required) for f, h in cls.columns.items()], "notes": cls.notes}
            for key, cls in KINDS.items()]


def _download(request: HttpRequest) -> HttpResponse | None:
    if request.GET.get("template"):
        kind = request.GET["template"]
        return _xlsx(registry_template(request.user, kind), f"registry-{kind}-template.xlsx")
    if request.GET.get("errors"):
        held = request.session.get(SESSION_KEY) or {}
        path = _held(f"{held.get('token', '')}.errors.xlsx")
        if held.get("token") and path.exists():
            return _xlsx(path.read_bytes(), f"registry-{held['kind']}-errors.xlsx")
    return None


@login_required
def import_registry(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.IMPORT_REGISTRY):
        raise PermissionDenied
    ctx: dict = {"kinds": _kinds(), "kind": request.POST.get("kind") or request.GET.get("kind") or "areas"}
    try:
        download = _download(request)
        if download is not None:
            return download
        if request.method == "POST":
            if request.POST.get("confirm"):
                held = _take(request, request.POST.get("token", ""))
                ctx["kind"] = held["kind"]
                ctx["result"] = do_import_registry(request.user, held["kind"], _held(held["token"]).read_bytes(), held["name"],
                                                   valid_only=request.POST.get("confirm") == "valid_only")
                ctx["has_error_file"] = bool(ctx["result"].errors)
                if not ctx["result"].errors:
                    _drop(request)
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise DomainError(_("请选择要导入的文件"), field="file")
                data, name = upload.read(), upload.name or ""
                preview = do_import_registry(request.user, ctx["kind"], data, name, dry_run=True, valid_only=True)
                ctx.update(preview=preview, file_name=name, errors=preview.errors[:MAX_ERRORS_SHOWN],
                           token=_keep(request, data, name, ctx["kind"], preview.error_file))
    except ImportRejected as exc:
        ctx["errors"] = exc.errors[:MAX_ERRORS_SHOWN]
        ctx["error"] = _("导入未执行，一行也没有写入。")
    except DomainError as exc:
        ctx["error"] = exc.message
    ctx["current"] = next((k for k in ctx["kinds"] if k["key"] == ctx["kind"]), ctx["kinds"][0])
    return render(request, "accounts/registry_import.html", ctx)
