"""`jiceng backup` / `jiceng restore` round-trip the database, attachments and anchors; the restored instance verifies."""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.core.management import CommandError, call_command

from jiceng.cases.actions import Upload, do_case_action
from jiceng.cases.models import Attachment, Case, CaseEvent
from tests.cases.helpers import handling_case, village_staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data(world, settings, tmp_path, django_capture_on_commit_callbacks):
    # Ids with gaps, as in any instance that ever deleted a row: restore must keep ids, not renumber.
    from jiceng.accounts.models import User

    User.objects.order_by("pk").first().delete()
    settings.ANCHOR_DIR = tmp_path / "anchors"
    settings.ANCHOR_DIR.mkdir()
    (settings.ANCHOR_DIR / "anchors.log").write_text("2026-11-24 root=abc sig=def\n")
    case = handling_case(world)
    with django_capture_on_commit_callbacks(execute=True):
        do_case_action(case, "note", village_staff(world, case.area_id), {"note": "现场照片"},
                       uploads=[Upload("现场.png", b"\x89PNG\r\n\x1a\n" + b"1" * 64, "image/png")])
    return case


def _verify() -> str:
    out = io.StringIO()
    try:
        call_command("verify", stdout=out)
    except CommandError as exc:
        raise AssertionError(out.getvalue()) from exc
    return out.getvalue()


def test_a_backup_restores_into_an_empty_instance_and_verifies(data, settings, tmp_path):
    before = {
        "cases": list(Case.objects.values_list("number", "state", "last_hash").order_by("number")),
        "events": CaseEvent.objects.count(),
        "attachment": Attachment.objects.get().sha256,
    }
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "b" / "database.json").stat().st_mode) == 0o600

    # An empty instance: a new database (flushed) and new, empty attachment and anchor directories.
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "new-attachments"
    settings.ANCHOR_DIR = tmp_path / "new-anchors"
    assert Case.objects.count() == 0

    call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())
    assert list(Case.objects.values_list("number", "state", "last_hash").order_by("number")) == before["cases"]
    assert CaseEvent.objects.count() == before["events"]
    att = Attachment.objects.get()
    assert att.sha256 == before["attachment"]
    assert (settings.MEDIA_ROOT / att.storage_name).read_bytes().startswith(b"\x89PNG")
    assert (settings.ANCHOR_DIR / "anchors.log").read_text().startswith("2026-11-24 root=abc")
    assert "已校验 1 件工单" in _verify()


def test_restore_refuses_a_tampered_backup(data, tmp_path):
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    dump = tmp_path / "b" / "database.json"
    rows = json.loads(dump.read_text())
    for row in rows:
        if row["model"] == "cases.case":
            row["fields"]["title"] = "改过的标题"
    dump.write_text(json.dumps(rows))
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="sha256"):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())
    assert Case.objects.count() == 0


def test_restore_refuses_an_instance_that_has_cases(data, tmp_path):
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="空实例"):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())


def test_backup_refuses_a_non_empty_directory(data, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x").write_text("x")
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())


def test_keys_are_kept_out_of_the_data_backup_and_restored_from_their_own_directory(data, settings, tmp_path):
    """The dump holds ciphertext only; another machine needs the key directory to read it."""
    from jiceng.sealed import keyring

    case = Case.objects.get()
    phone = case.reporter_phone
    settings.ANCHOR_KEY_PATH = tmp_path / "anchor-key.pem"
    settings.ANCHOR_KEY_PATH.write_text("-----BEGIN PRIVATE KEY-----\nnot a real key, only copied\n")
    out = io.StringIO()
    call_command("backup", str(tmp_path / "b"), "--keys", str(tmp_path / "k"), stdout=out)
    assert "分开保管" in out.getvalue()
    dump = (tmp_path / "b" / "database.json").read_text()
    assert phone and phone not in dump and "sealed1:" in dump
    assert not any(p.name in ("field-keys.json", "anchor-key.pem") for p in (tmp_path / "b").rglob("*"))
    assert sorted(p.name for p in (tmp_path / "k").iterdir()) == ["anchor-key.pem", "field-keys.json"]
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "k" / "field-keys.json").stat().st_mode) == 0o600

    # Another machine: empty database, its own (fresh) keys.
    call_command("flush", interactive=False, verbosity=0)
    settings.MEDIA_ROOT, settings.ANCHOR_DIR = tmp_path / "new-attachments", tmp_path / "new-anchors"
    settings.FIELD_KEY_PATH, settings.ANCHOR_KEY_PATH = tmp_path / "new" / "field-keys.json", tmp_path / "new" / "anchor-key.pem"
    keyring()
    with pytest.raises(CommandError, match="--keys"):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())
    assert Case.objects.count() == 0
    call_command("restore", str(tmp_path / "b"), "--keys", str(tmp_path / "k"), stdout=io.StringIO())
    assert Case.objects.get().reporter_phone == phone
    assert settings.ANCHOR_KEY_PATH.read_text().startswith("-----BEGIN")
    assert "已校验 1 件工单" in _verify()


def test_the_key_directory_may_not_be_inside_the_data_backup(data, tmp_path):
    with pytest.raises(CommandError, match="分开保管"):
        call_command("backup", str(tmp_path / "b"), "--keys", str(tmp_path / "b" / "keys"), stdout=io.StringIO())
