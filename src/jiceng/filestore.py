"""Uploaded files on disk: content-addressed under ``MEDIA_ROOT``, written only once the transaction that
records them commits, and read back only if they still hash to what was recorded.

One way for every kind of upload (case attachments, visit photos); the apps keep their own records
(``cases.Attachment``, ``programmes.VisitPhoto``) and their own checks of what may be uploaded.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.db import transaction


class StoredFileTampered(Exception):
    """The bytes on disk no longer have the SHA-256 their record holds."""


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def storage_name(sha256: str, folder: str = "") -> str:
    """Where a file with this hash lives, relative to ``MEDIA_ROOT``: ``[folder/]ab/abcdef…``."""
    name = f"{sha256[:2]}/{sha256}"
    return f"{folder}/{name}" if folder else name


def path_of(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def store_after_commit(name: str, content: bytes) -> None:
    """Write ``content`` at ``name`` once the current transaction commits (never for a rolled-back record).

    The name is content-addressed, so a file already there is the same bytes and is left alone; the write
    goes through a ``.part`` file and a rename, so a reader never sees half a file.
    """
    target = path_of(name)

    def write(target: Path = target, data: bytes = content) -> None:
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(target)

    transaction.on_commit(write)


def read_verified(name: str, sha256: str) -> bytes:
    """The stored bytes, refused (:class:`StoredFileTampered`) if they no longer hash to ``sha256``."""
    data = path_of(name).read_bytes()
    if sha256_of(data) != sha256:
        raise StoredFileTampered(name)
    return data
