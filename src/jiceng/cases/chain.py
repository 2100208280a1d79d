"""The hash chain over a case's events, and the digest of a case's content.

Each event's hash covers its predecessor's hash and its own canonical content,
so rewriting any past event (or deleting one) breaks every hash after it. The
submit event's payload carries a digest of the case's content columns, so a
rewritten title or reporter breaks the chain's first link too.

Two formats are in use (see docs/security-record.md):

* **Version 1** (cases and events recorded before the "verify everything
  shown" change): the event content leaves out ``actor_label`` and the submit
  digest covers eleven content columns. Such events have an empty ``marks``
  column. They stay verifiable as they were.
* **Version 2** (every event appended since): the event content includes the
  actor's label and a version tag; the submit digest covers every content
  column. ``marks`` holds a short fingerprint of each column so that ``jiceng
  verify`` can *name* the column that no longer matches. The fingerprints are
  a diagnosis, not the protection: the full SHA-256 hash is what detects the
  change.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

GENESIS = ""
VERSION = 2
MARK_WIDTH = 4  # hex digits per column: 1 in 65,536 that a changed column keeps its mark

# Event columns a version-2 event hash covers, in mark order. "case" is the case
# number (the event's case_id, through its case).
EVENT_COLUMNS = ("case", "action", "from_state", "to_state", "actor_id", "actor_label", "at", "unit_id", "note", "payload")
# Case columns the version-2 submit digest covers, in mark order.
CONTENT_COLUMNS = (
    "category_id", "area_id", "grid_id", "title", "description", "address", "channel", "urgency", "anonymous",
    "reporter_id", "reporter_name", "reporter_phone", "reporter_id_number", "source_ref", "created_by_id", "created_at",
)


def canonical_time(at: datetime) -> str:
    """UTC, microsecond precision: what both databases store exactly."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _canonical(value: Any) -> str:
    if isinstance(value, datetime):
        value = canonical_time(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- events -----------------------------------------------------------------

def event_content(
    *,
    case_number: str,
    seq: int,
    action: str,
    from_state: str,
    to_state: str,
    actor_id: int | None,
    at: datetime,
    unit_id: int | None,
    note: str,
    payload: dict[str, Any],
    actor_label: str | None = None,
    version: int = VERSION,
) -> str:
    """The canonical JSON text an event's hash covers (version 1 leaves out the actor's label)."""
    content: dict[str, Any] = {
        "case": case_number,
        "seq": seq,
        "action": action,
        "from": from_state,
        "to": to_state,
        "actor": actor_id,
        "at": canonical_time(at),
        "unit": unit_id,
        "note": note,
        "payload": payload,
    }
    if version >= 2:
        content.update(v=version, actor_label=actor_label or "")
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def link_hash(prev_hash: str, content: str) -> str:
    """SHA-256 of the predecessor's hash and this event's content."""
    return _sha(f"{prev_hash}\n{content}")


def marks(values: dict[str, Any], columns: tuple[str, ...]) -> str:
    """A short fingerprint per column, concatenated in ``columns`` order."""
    return "".join(_sha(_canonical(values.get(c)))[:MARK_WIDTH] for c in columns)


def differing_columns(stored: str, values: dict[str, Any], columns: tuple[str, ...]) -> list[str]:
    """The columns whose fingerprint in ``stored`` no longer matches ``values``."""
    fresh = marks(values, columns)
    w = MARK_WIDTH
    return [c for i, c in enumerate(columns) if stored[i * w:(i + 1) * w] != fresh[i * w:(i + 1) * w]]


def event_values(*, case_number: str, action: str, from_state: str, to_state: str, actor_id: int | None, actor_label: str,
                 at: datetime, unit_id: int | None, note: str, payload: dict) -> dict[str, Any]:
    """An event's column values, keyed as in :data:`EVENT_COLUMNS`."""
    return {"case": case_number, "action": action, "from_state": from_state, "to_state": to_state, "actor_id": actor_id,
            "actor_label": actor_label, "at": at, "unit_id": unit_id, "note": note, "payload": payload}


def seal_event(prev_hash: str, seq: int, values: dict[str, Any]) -> tuple[str, str]:
    """``(hash, marks)`` of a new version-2 event with these column values."""
    content = event_content(
        case_number=values["case"], seq=seq, action=values["action"], from_state=values["from_state"], to_state=values["to_state"],
        actor_id=values["actor_id"], at=values["at"], unit_id=values["unit_id"], note=values["note"], payload=values["payload"],
        actor_label=values["actor_label"], version=VERSION,
    )
    return link_hash(prev_hash, content), marks(values, EVENT_COLUMNS)


# --- the case's content -------------------------------------------------------

def content_digest(**fields: Any) -> str:
    """Version 1: SHA-256 of a submission's content (eleven columns), carried in the submit event's payload."""
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def content_values(case: Any) -> dict[str, Any]:
    """The version-2 content columns of a case (a model instance or anything with those attributes)."""
    return {c: getattr(case, c) for c in CONTENT_COLUMNS}


def content_digest_v2(values: dict[str, Any]) -> str:
    """Version 2: SHA-256 over every content column, times in canonical UTC."""
    return _sha(_canonical({c: (canonical_time(v) if isinstance(v, datetime) else v) for c, v in values.items()}))


def legacy_content_digest(case: Any, fields: dict) -> str:
    """The version-1 digest as ``submit_payload`` computed it before version 2."""
    return content_digest(
        category=case.category_id, area=case.area_id, title=case.title, description=case.description, address=case.address,
        channel=case.channel, fields=fields, anonymous=case.anonymous, reporter_name=case.reporter_name,
        reporter_phone=case.reporter_phone, reporter_id_number=case.reporter_id_number,
    )
