"""Errors of the domain, shared by every app: a stable machine code and a message for people.

No HTTP here: each adapter maps the classes to its own answer (the REST API in
``jiceng.api.errors`` to a status, Open311 to its error list, the web to a
message on the page, commands to a line on stderr).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: ``code`` is stable for machines, ``message`` is for people, ``field`` names the input."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data


class InvalidInput(DomainError):
    """The request is malformed or names something that does not exist."""

    code = "invalid"


class NotPermitted(DomainError):
    """The user may not do this (they may see the object, or it is not about an object)."""

    code = "forbidden"


class NotFound(DomainError):
    """The object does not exist, or the user may not see it: one answer for both."""

    code = "not_found"


class TransitionNotAllowed(DomainError):
    """The state of the object forbids the action."""

    code = "invalid_transition"


class Conflict(DomainError):
    """Someone else changed the object at the same time, or a key was reused differently."""

    code = "conflict"


class IdempotencyConflict(Conflict):
    """An idempotency key was sent again with a different request."""

    code = "idempotency_conflict"


class RateLimited(DomainError):
    code = "rate_limited"


class ConfigError(DomainError):
    code = "invalid_config"
