"""Every stored value a reader sees of a case is covered: change any one column and `jiceng verify` names it.

Runs on the real database (SQLite and PostgreSQL): each column of the case,
event and attachment tables is rewritten with an UPDATE behind the ledger's
back, one at a time, and rolled back after verify has looked. Columns that
carry no meaning a reader sees are listed in BOOKKEEPING with the reason.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from jiceng.accounts.models import User
from jiceng.areas.models import Area, AreaLevel, Grid, Unit
from jiceng.cases.actions import Upload, do_case_action, do_submit
from jiceng.cases.models import Attachment, Case, CaseEvent, Category
from jiceng.cases.verify import iter_problems

from .helpers import submit, village_staff

pytestmark = pytest.mark.django_db

BOOKKEEPING = {
    "case.id": "surrogate key; readers see the case number",
    "case.version": "optimistic-concurrency token, bumped with every event; not shown as part of the record",
    "case.idempotency_key": "retry bookkeeping of the submitting client; never shown",
    "case.content_fingerprint": "retry bookkeeping (tells a retry from a reused key); the content itself is covered",
    "case.query_code": "the reporter's access credential (查询码), not part of the record; may be reissued",
    "case.open311_token": "Open311 client's token for a pending request; bookkeeping of the adapter",
    "case.reporter_phone_index": "keyed hash of the sealed phone for lookups (jiceng.sealed); rebuilt from the phone, never shown",
    "case.reporter_id_index": "keyed hash of the sealed ID number for lookups (jiceng.sealed); rebuilt from it, never shown",
    "case.next_due_at": "tick's schedule (cases/due.py), worked out from the deadline columns and the SLA marks; never shown. "
                        "A changed value makes tick look early (harmless) or late; verify does not check it yet (docs/scaling.md)",
    "event.id": "surrogate key; the event's place is its case and seq",
    "event.marks": "diagnostic fingerprints that let verify name a changed column; the hash protects the event "
                   "(blanking them is caught: tests/cases/test_legacy_chain.py)",
    "attachment.id": "surrogate key; the file is identified by its SHA-256",
}

PNG = b"\x89PNG\r\n\x1a\n" + b"photo of the broken lamp" * 20
PDF = b"%PDF-1.4 mediation agreement" * 10


class _Rollback(Exception):
    pass


@pytest.fixture
def record(world, django_capture_on_commit_callbacks):
    """A dispute with a grid, reporter, fields, attachments on submit and on a note, resolved with fields."""
    village = world.villages[-1]
    staff = village_staff(world, village.code)
    grid = Grid.objects.filter(area=village).first()
    with django_capture_on_commit_callbacks(execute=True):
        case, _ = do_submit(
            user=staff, category=Category.objects.get(code="jiufen-neighbour"), area=village, title="邻里宅基地纠纷",
            description="两户因宅基地边界发生争执", address="三组12号", grid=grid, fields={"parties": ["王五", "赵六"]},
            reporter_name="王五", reporter_phone="13812345678", reporter_id_number="", source_ref="12345-778",
            uploads=[Upload("现场.png", PNG, "image/png")],
        )
        case = do_case_action(case, "accept", staff, {"plan": "组织双方调解"})
        case = do_case_action(case, "dispatch", staff, {})
        case = do_case_action(case, "claim", staff, {})
        case = do_case_action(case, "note", staff, {"note": "已约双方周五到村委会"}, uploads=[Upload("协议.pdf", PDF, "application/pdf")])
        case = do_case_action(case, "take_ownership", world.users["leader"], {}) if "leader" in world.users else case
        # an unanswered supervision: its reply date is part of the record (the promise came with the acceptance)
        case = do_case_action(case, "supervise", world.users["leader"], {"note": "请三日内报告调解进展"}) if "leader" in world.users else case
        case = do_case_action(case, "resolve", staff, {"result": "双方达成协议", "fields": {"mediation_result": "调解成功", "agreement_signed": True}})
    other = submit(world, title="另一件事")
    assert list(iter_problems()) == [], "the untouched record verifies"
    return case, other


def _other_user(user_id: int | None) -> int:
    return User.objects.exclude(pk=user_id).values_list("pk", flat=True).first()


def _changed(value, column: str, case: Case, other: Case, row):
    """A different value of the same type, valid for the column's constraints."""
    name = column.split(".")[1]
    if name in ("actor_id", "reporter_id", "created_by_id", "owner_id"):
        return _other_user(value)
    if name == "unit_id":
        return Unit.objects.exclude(pk=value).values_list("pk", flat=True).first()
    if name == "area_id":
        return Area.objects.filter(level=AreaLevel.VILLAGE).exclude(code=value).values_list("code", flat=True).first()
    if name == "grid_id":
        return Grid.objects.exclude(pk=value).values_list("pk", flat=True).first()
    if name == "category_id":
        return Category.objects.exclude(pk=value).values_list("pk", flat=True).first()
    if name == "case_id":
        return other.pk
    if name == "event_id":
        return CaseEvent.objects.filter(case=case).exclude(pk=value).values_list("pk", flat=True).first()
    if name == "number":
        return "1-999999-000001"
    if name.endswith("hash") or name == "sha256":  # same length: the column is exactly 64 characters wide
        return (value[:-1] + ("0" if value[-1:] != "0" else "1")) if value else "0" * 64
    if name == "merged_into":
        return (value or "") + "x"
    if name == "seq":
        return value + 50
    if name in ("payload", "fields"):
        return {**value, "tampered": 1}
    if name == "marks":
        return "0" * len(value)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if hasattr(value, "tzinfo") or name in ("deadline", "pending_extension", "suspended_at", "promised_at", "reply_by"):
        from django.utils import timezone

        return (value or timezone.now()) + timedelta(seconds=1)
    if name in ("state", "from_state", "to_state"):
        return "closed" if value != "closed" else "handling"
    if name == "action":
        return "supervise"
    if name == "channel":
        return "hotline" if value != "hotline" else "web"
    if name == "urgency":
        return "critical"
    if name in ("level", "resolved_level"):
        return "county" if value != "county" else "township"
    if name == "rating":
        return "satisfied" if value != "satisfied" else "unsatisfied"
    return (value or "") + "改"


def _columns(model, prefix: str) -> list[tuple[str, str]]:
    return [(f"{prefix}.{f.attname}", f.attname) for f in model._meta.concrete_fields]


def _named(column: str, expected: set[str]) -> None:
    problems = list(iter_problems())
    named = {c for p in problems for c in p.columns}
    assert problems, f"changing {column} went unnoticed"
    assert named & expected, f"changing {column}: verify named {named}, not {expected}: {[str(p) for p in problems]}"


def _tamper(model, pk, attname: str, value) -> None:
    model.objects.filter(pk=pk).update(**{attname: value})


def _each(model, prefix: str, row, case: Case, other: Case, also: dict[str, set[str]] | None = None):
    tried = []
    for column, attname in _columns(model, prefix):
        if column in BOOKKEEPING:
            continue
        value = _changed(getattr(row, attname), column, case, other, row)
        assert value != getattr(row, attname), column
        try:
            with transaction.atomic():
                _tamper(model, row.pk, attname, value)
                _named(column, {column} | (also or {}).get(column, set()))
                raise _Rollback
        except _Rollback:
            pass
        tried.append(column)
    return tried


def test_every_case_column_is_covered(record):
    case, other = record
    case.refresh_from_db()
    tried = _each(Case, "case", case, case, other)
    assert "case.title" in tried and "case.reporter_phone" in tried and "case.fields" in tried and "case.updated_at" in tried
    assert "case.promised_at" in tried and "case.reply_by" in tried


def test_every_event_column_is_covered(record):
    case, other = record
    note = CaseEvent.objects.get(case=case, action="note")  # has a unit, an actor, a note and an attachment
    # Moving an event to another case shows as its case number no longer matching.
    also = {"event.case_id": {"case.number"}}
    tried = _each(CaseEvent, "event", note, case, other, also)
    assert {"event.actor_label", "event.actor_id", "event.note", "event.payload", "event.at", "event.hash"} <= set(tried)


def test_every_attachment_column_is_covered(record):
    case, other = record
    row = Attachment.objects.get(case=case, name="协议.pdf")
    tried = _each(Attachment, "attachment", row, case, other)
    assert {"attachment.sha256", "attachment.name", "attachment.content_type", "attachment.uploaded_at"} <= set(tried)


@pytest.mark.parametrize("how", ["overwrite", "delete"])
def test_a_file_changed_on_disk_is_named(record, how):
    case, _ = record
    row = Attachment.objects.get(case=case, name="现场.png")
    path = Path(settings.MEDIA_ROOT) / row.storage_name
    assert path.read_bytes() == PNG
    if how == "overwrite":
        path.write_bytes(b"MZ another picture entirely")
    else:
        path.unlink()
    problems = list(iter_problems())
    assert [(p.number, p.kind, p.columns) for p in problems] == [(case.number, "file", ("file",))]
    assert row.sha256 in problems[0].detail


def test_a_deleted_attachment_row_is_named(record):
    case, _ = record
    Attachment.objects.filter(case=case, name="协议.pdf").delete()
    assert {c for p in iter_problems() for c in p.columns} == {"attachment"}


def test_the_download_refuses_bytes_that_no_longer_match(record):
    from jiceng.cases.verify import AttachmentTampered, read_attachment_verified

    case, _ = record
    row = Attachment.objects.get(case=case, name="现场.png")
    assert read_attachment_verified(row) == PNG
    (Path(settings.MEDIA_ROOT) / row.storage_name).write_bytes(b"other bytes")
    with pytest.raises(AttachmentTampered):
        read_attachment_verified(row)


ALERT_BOOKKEEPING = {
    "alert.id": "surrogate key",
    "alert.pending": "alerts received since the last alert_repeat event; recorded by the next one, not shown as the record",
    "alert.pending_first_seen": "as pending",
    "alert.pending_last_seen": "as pending",
    "alert.recorded_at": "when the last alert_repeat event was written (its own time is in the chain)",
}


def test_every_alert_series_column_is_covered(world, settings):
    from django.utils import timezone

    from jiceng.triage.alerts import do_submit_alert
    from jiceng.triage.models import AlertCase

    from tests.triage.helpers import register_devices

    settings.ALERT_RECORD_SECONDS = 0
    register_devices(world, "SW-7", village=world.villages[-1])
    at = timezone.now() - timedelta(hours=1)
    outcomes = [do_submit_alert(user=world.users["admin"], category="yujing-flood", area_code=world.villages[-1].code, device_id="SW-7",
                                alert_type="水位超警", title="水位超警预警", description="监测点水位超警", at=at + timedelta(minutes=m))
                for m in (0, 3)]
    other = submit(world, title="另一件事")
    assert list(iter_problems()) == []
    series = AlertCase.objects.get(case=outcomes[0].case)
    tried = []
    for column, attname in _columns(AlertCase, "alert"):
        if column in ALERT_BOOKKEEPING:
            continue
        value = _changed(getattr(series, attname), column, outcomes[0].case, other, series)
        try:
            with transaction.atomic():
                _tamper(AlertCase, series.pk, attname, value)
                _named(column, {column})
                raise _Rollback
        except _Rollback:
            pass
        tried.append(column)
    assert {"alert.count", "alert.first_seen", "alert.last_seen", "alert.device_id", "alert.case_id"} <= set(tried)
