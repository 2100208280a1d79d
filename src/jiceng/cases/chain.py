"""The hash chain over a case's events.

Each event's hash covers its predecessor's hash and its own canonical content,
so rewriting any past event (or deleting one) breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

GENESIS = ""


def canonical_time(at: datetime) -> str:
    """UTC, microsecond precision: what both databases store exactly."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
) -> str:
    """The canonical JSON text an event's hash covers."""
    return json.dumps(
        {
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
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def link_hash(prev_hash: str, content: str) -> str:
    """SHA-256 of the predecessor's hash and this event's content."""
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def content_digest(**fields: Any) -> str:
    """SHA-256 of a submission's content, carried in the submit event's payload."""
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
