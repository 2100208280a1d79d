"""Errors of the case engine, each with a stable machine code and a user message."""

from __future__ import annotations


class CaseError(Exception):
    """Base class: ``code`` is stable for machines, ``message`` is for people."""

    code = "case_error"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data


class TransitionNotAllowed(CaseError):
    code = "invalid_transition"
    http_status = 409


class NotPermitted(CaseError):
    code = "forbidden"
    http_status = 403


class InvalidInput(CaseError):
    code = "invalid"
    http_status = 400


class Conflict(CaseError):
    code = "conflict"
    http_status = 409


class ConfigError(CaseError):
    code = "invalid_config"
