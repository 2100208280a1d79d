"""Backup and restore: the database (portable JSON), attachments and the anchor log.

A backup directory holds ``database.json`` (Django's serialised rows, the same
format on SQLite and PostgreSQL, so a county can move between them),
``attachments/`` and ``anchors/`` (copies of the data directory's), and
``manifest.json`` with the sha256 of every file. Restore checks the manifest
first and refuses a backup whose files changed, then loads into an empty
database only; afterwards ``jiceng verify`` checks the restored chains.
Everything is written 0600/0700 (the process umask, see settings).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from jiceng.errors import DomainError as CaseError

FORMAT = "jiceng-backup-1"
DATABASE_FILE = "database.json"
MANIFEST = "manifest.json"
# Rebuilt by migrate or worthless after a restore: content types and
# permissions (referenced by natural key), sessions, login-attempt records.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "axes"]


class BackupError(CaseError):
    code = "backup_error"


@dataclass
class BackupSummary:
    directory: Path
    rows: int
    files: int


def anchor_dir() -> Path:
    return Path(getattr(settings, "ANCHOR_DIR", Path(settings.DATA_DIR) / "anchors"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True, copy_function=shutil.copyfile)  # copyfile: new files get our 0600


def _manifest_files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file() and p.name != MANIFEST}


def do_backup(directory: Path | str) -> BackupSummary:
    """Write a complete backup into ``directory`` (new or empty)."""
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 不是空目录；请指定新的目录")
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)
    # Rows keep their primary keys (no --natural-primary): the hash chain covers ids such as the actor's user id.
    # --natural-foreign only turns references to content types and permissions into names, rebuilt by migrate.
    with transaction.atomic():  # one consistent snapshot of the rows (a repeatable view on PostgreSQL)
        call_command("dumpdata", "--format=json-exact", "--natural-foreign", *[f"--exclude={e}" for e in EXCLUDED],
                     "--output", str(target / DATABASE_FILE), verbosity=0)
    _copy_tree(Path(settings.MEDIA_ROOT), target / "attachments")
    _copy_tree(anchor_dir(), target / "anchors")
    rows = len(json.loads((target / DATABASE_FILE).read_text(encoding="utf-8")))
    files = _manifest_files(target)
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "rows": rows, "files": files}
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return BackupSummary(target, rows, len(files))


def check_backup(directory: Path | str) -> dict:
    """Read the manifest and confirm every file is present and unchanged."""
    source = Path(directory)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"{source} 不是 jiceng 备份目录（缺少或无法读取 {MANIFEST}）") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}：不认识的备份格式 {manifest.get('format')!r}")
    found = _manifest_files(source)
    for name, digest in manifest["files"].items():
        if found.get(name) != digest:
            raise BackupError(f"备份文件 {name} 缺失或已被改动（sha256 不符）；拒绝恢复")
    extra = sorted(set(found) - set(manifest["files"]))
    if extra:
        raise BackupError(f"备份目录中有清单之外的文件 {extra[0]}；拒绝恢复")
    return manifest


def do_restore(directory: Path | str) -> BackupSummary:
    """Restore a backup into this (migrated, empty) instance."""
    from jiceng.cases.models import Case

    source = Path(directory)
    manifest = check_backup(source)
    if Case.objects.exists():
        raise BackupError("当前数据库已有工单；恢复只能在空实例上进行（请先新建数据库并执行 jiceng migrate）")
    # A fresh instance may hold a loaded configuration or a bootstrap admin; the backup brings its own.
    call_command("flush", interactive=False, verbosity=0)
    with transaction.atomic():
        call_command("loaddata", str(source / DATABASE_FILE), format="json-exact", verbosity=0, stdout=StringIO())
    for name in ("attachments", "anchors"):
        target = Path(settings.MEDIA_ROOT) if name == "attachments" else anchor_dir()
        target.mkdir(parents=True, exist_ok=True)
        _copy_tree(source / name, target)
    return BackupSummary(source, manifest["rows"], len(manifest["files"]))
