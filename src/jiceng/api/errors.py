"""One JSON error shape for the REST API: ``{"code", "message", "field"?}``.

The message is in the request's language (Chinese by default, English with
``Accept-Language: en``); ``code`` is stable for machines.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jiceng.errors import (
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
from jiceng.sealed import SealedKeyError

# Each domain error class answers with one status; subclasses before their bases.
STATUS_OF = (
    (IdempotencyConflict, 422),
    (Conflict, 409),
    (TransitionNotAllowed, 409),
    (NotPermitted, 403),
    (NotFound, 404),
    (RateLimited, 429),
    (InvalidInput, 400),
    (SealedKeyError, 503),  # the field key ring is missing or does not fit the data: the server's problem
    (ConfigError, 400),
)


def status_of(exc: DomainError) -> int:
    return next((status for cls, status in STATUS_OF if isinstance(exc, cls)), 400)


def _field_of(loc: list) -> str:
    # ninja puts the parameter source first ("body", "query", "header"), then the payload name.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form", "file", "payload")]
    return ".".join(parts)


def _reason(error: dict) -> str:
    """A translated reason for a pydantic error type; pydantic's own text is English-only."""
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    reasons = {
        "missing": _("this field is required"),
        "string_type": _("must be text"),
        "string_too_long": _("too long (at most %(n)s characters)") % {"n": ctx.get("max_length", "")},
        "string_too_short": _("too short"),
        "int_parsing": _("must be a whole number"), "int_type": _("must be a whole number"),
        "int_from_float": _("must be a whole number"),
        "bool_parsing": _("must be true or false"), "bool_type": _("must be true or false"),
        "datetime_parsing": _("must be an ISO 8601 date and time"), "datetime_type": _("must be an ISO 8601 date and time"),
        "datetime_from_date_parsing": _("must be an ISO 8601 date and time"),
        "dict_type": _("must be an object"), "list_type": _("must be a list"),
        "literal_error": _("must be one of: %(expected)s") % {"expected": ctx.get("expected", "")},
        "greater_than_equal": _("must be at least %(n)s") % {"n": ctx.get("ge", "")},
        "less_than_equal": _("must be at most %(n)s") % {"n": ctx.get("le", "")},
        "json_invalid": _("the body is not valid JSON"), "model_attributes_type": _("must be an object"),
    }
    return reasons.get(kind, error.get("msg", kind))


def install(api: NinjaAPI) -> None:
    """Register the exception handlers that give every error the same shape."""

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=status_of(exc))

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        errors = [{"field": _field_of(e.get("loc", [])), "message": _reason(e), "type": e.get("type", "")} for e in exc.errors]
        first = errors[0] if errors else {"field": "", "message": ""}
        body = {
            "code": "invalid",
            "message": _("%(field)s: %(reason)s") % {"field": first["field"] or "body", "reason": first["message"]},
            "field": first["field"],
            "errors": errors,
        }
        return api.create_response(request, body, status=400)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        body = {"code": "unauthenticated", "message": _("Log in, or send a valid API key in the Authorization header")}
        return api.create_response(request, body, status=401)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"code": "not_found", "message": _("Not found, or not visible to you")}, status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return api.create_response(request, {"code": "http_error", "message": str(exc)}, status=exc.status_code)

