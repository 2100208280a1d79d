"""Backup and restore: the database (portable JSON), attachments and the anchor log.

A backup directory holds ``database.json`` (Django's serialised rows, the same
format on SQLite and PostgreSQL, so a county can move between them),
``attachments/`` and ``anchors/`` (copies of the data directory's), and
``manifest.json`` with the sha256 of every file. Restore checks the manifest
first and refuses a backup whose files changed, then loads into an empty
database only; afterwards ``jiceng verify`` checks the restored chains.
Everything is written 0600/0700 (the process umask, see settings).

Keys are never in the data backup: phones and ID numbers are in it as
ciphertext (jiceng.sealed), and a backup that carried its own key would
protect nothing. ``--keys KEYDIR`` writes the field key ring and the anchor
signing key to a separate directory (kept in separate custody); restore takes
them back with ``--keys KEYDIR``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from jiceng import sealed
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
    keys: list[str] = field(default_factory=list)


FIELD_KEYS_NAME, ANCHOR_KEY_NAME = "field-keys.json", "anchor-key.pem"


def _key_files() -> dict[str, Path]:
    """The secret keys outside the database, by their name in a key backup."""
    return {FIELD_KEYS_NAME: sealed.key_path(), ANCHOR_KEY_NAME: Path(settings.ANCHOR_KEY_PATH)}


def _check_key_dir(keys: Path, data: Path) -> None:
    keys, data = keys.resolve(), data.resolve()
    if keys == data or data in keys.parents or keys in data.parents:
        raise BackupError(f"密钥目录 {keys} 不能在数据备份目录之中（也不能包含它）：密钥要与数据分开保管")


def backup_keys(directory: Path | str) -> list[str]:
    """Copy the field key ring and the anchor signing key into ``directory`` (new or empty, 0700)."""
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"密钥目录 {target} 不是空目录；请指定新的目录")
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)
    sealed.keyring()  # make sure the ring exists (a fresh instance creates it on first use)
    written = []
    for name, path in _key_files().items():
        if path.exists():
            shutil.copyfile(path, target / name)
            (target / name).chmod(0o600)
            written.append(name)
    return written


def restore_keys(directory: Path | str) -> list[str]:
    """Install the keys of a key backup; a key file already here is kept beside as ``*.replaced-<time>``."""
    source = Path(directory)
    if not (source / FIELD_KEYS_NAME).is_file():
        raise BackupError(f"{source} 中没有字段密钥文件 {FIELD_KEYS_NAME}（用 jiceng backup --keys 备份的密钥目录）")
    installed = []
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    for name, path in _key_files().items():
        if not (source / name).is_file():
            continue
        if path.exists():
            if path.read_bytes() == (source / name).read_bytes():
                continue
            path.rename(path.with_name(f"{path.name}.replaced-{stamp}"))
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, path)
        path.chmod(0o600)
        installed.append(name)
    return installed


def _keys_needed(dump: Path) -> set[str]:
    """The field key ids the sealed values of a database dump were encrypted with."""
    ids: set[str] = set()
    for row in json.loads(dump.read_text(encoding="utf-8")):
        ids.update(sealed.key_id_of(v) for v in row.get("fields", {}).values() if isinstance(v, str) and sealed.is_sealed(v))
    return ids


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


def do_backup(directory: Path | str, keys: Path | str | None = None) -> BackupSummary:
    """Write a complete backup of the data into ``directory`` (new or empty), the keys into ``keys`` if given."""
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"备份目录 {target} 不是空目录；请指定新的目录")
    if keys is not None:
        _check_key_dir(Path(keys), target)
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
    written = backup_keys(keys) if keys is not None else []
    return BackupSummary(target, rows, len(files), written)


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


def do_restore(directory: Path | str, keys: Path | str | None = None) -> BackupSummary:
    """Restore a backup into this (migrated, empty) instance, with the keys of ``keys`` if given."""
    from jiceng.cases.models import Case

    source = Path(directory)
    manifest = check_backup(source)
    if Case.objects.exists():
        raise BackupError("当前数据库已有工单；恢复只能在空实例上进行（请先新建数据库并执行 jiceng migrate）")
    installed = restore_keys(keys) if keys is not None else []
    missing = sorted(_keys_needed(source / DATABASE_FILE) - set(sealed.keyring().keys))
    if missing:
        raise BackupError(f"备份中的电话和身份证号用字段密钥 {', '.join(missing)} 加密，本实例的密钥文件 {sealed.key_path()} 中没有；"
                          "请用 --keys 指定该备份的密钥目录（jiceng backup --keys 所写）")
    # A fresh instance may hold a loaded configuration or a bootstrap admin; the backup brings its own.
    call_command("flush", interactive=False, verbosity=0)
    with transaction.atomic():
        call_command("loaddata", str(source / DATABASE_FILE), format="json-exact", verbosity=0, stdout=StringIO())
    for name in ("attachments", "anchors"):
        target = Path(settings.MEDIA_ROOT) if name == "attachments" else anchor_dir()
        target.mkdir(parents=True, exist_ok=True)
        _copy_tree(source / name, target)
    return BackupSummary(source, manifest["rows"], len(manifest["files"]), installed)
