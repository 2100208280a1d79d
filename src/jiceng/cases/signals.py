"""Signals the case engine sends. It imports none of their receivers (notifications subscribe from above)."""

from __future__ import annotations

import logging

from django.dispatch import Signal

log = logging.getLogger(__name__)

# Sent once the transaction that recorded a case event has committed (never for a rolled-back one),
# with ``event_id``, ``case_id`` and ``action``. A receiver's failure is logged, never raised into the caller.
event_committed = Signal()


def announce(event_id: int, case_id: int, action: str) -> None:
    """Tell the receivers about one committed event (run by ``transaction.on_commit``)."""
    for receiver, result in event_committed.send_robust(sender=None, event_id=event_id, case_id=case_id, action=action):
        if isinstance(result, Exception):
            log.error("event_committed receiver %r failed for event %s", receiver, event_id, exc_info=result)
