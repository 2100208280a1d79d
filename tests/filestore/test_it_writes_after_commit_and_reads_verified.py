"""jiceng.filestore, the one store of uploads (case attachments, visit photos): a file is written only when the
transaction recording it commits, content-addressed, and read back only while it hashes to its record."""

from __future__ import annotations

import pytest
from django.db import transaction

from jiceng import filestore

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_file_is_written_on_commit_and_not_on_rollback(media, django_capture_on_commit_callbacks):
    kept, dropped = b"photo one", b"photo two"
    kept_name = filestore.storage_name(filestore.sha256_of(kept), "visits")
    dropped_name = filestore.storage_name(filestore.sha256_of(dropped), "visits")
    with django_capture_on_commit_callbacks(execute=True):
        filestore.store_after_commit(kept_name, kept)
        assert not filestore.path_of(kept_name).exists()  # not before the commit
    assert filestore.read_verified(kept_name, filestore.sha256_of(kept)) == kept
    assert kept_name.startswith("visits/") and kept_name.endswith(filestore.sha256_of(kept))
    with pytest.raises(RuntimeError), transaction.atomic():
        filestore.store_after_commit(dropped_name, dropped)
        raise RuntimeError("rolled back")
    assert not filestore.path_of(dropped_name).exists()


def test_changed_bytes_are_refused(media, django_capture_on_commit_callbacks):
    data = b"attachment"
    name = filestore.storage_name(filestore.sha256_of(data))
    with django_capture_on_commit_callbacks(execute=True):
        filestore.store_after_commit(name, data)
    filestore.path_of(name).write_bytes(b"rewritten")
    with pytest.raises(filestore.StoredFileTampered):
        filestore.read_verified(name, filestore.sha256_of(data))
