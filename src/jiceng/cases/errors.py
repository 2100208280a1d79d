"""The case engine's errors are the project's domain errors (``jiceng.errors``)."""

from __future__ import annotations

from jiceng.errors import (  # noqa: F401 - re-exported for the case engine's callers
    ConfigError,
    Conflict,
    DomainError,
    IdempotencyConflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    RateLimited,
    TransitionNotAllowed,
)

CaseError = DomainError
