"""Hostile input stops at the door: a 400 in the caller's format, never a 500.

The guard looks at every request before any view does: the path, query
string, form fields, upload names, JSON bodies and the Idempotency-Key header.
It refuses

* NUL and other control characters (PostgreSQL cannot store NUL in text);
* non-finite numbers in JSON (``NaN``, ``Infinity``, ``-1e999``) and numbers
  no database column holds (beyond ±2⁶³);
* number-looking query values out of that range (``?unit=1e30``);
* dates and times outside the years 1900–2200 (``0001-01-01T00:00+14:00``
  overflows when converted to UTC);
* upload file names longer than 255 characters.

The answer has the shape the caller expects: JSON ``{code, message, field}``
under /api/, a GeoReport error list under /open311/, a Chinese HTML page
elsewhere. Validation that needs meaning (labels, categories, limits) stays
in the domain; this layer only keeps input the domain could not even hold.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.sealed import SealedKeyError
from jiceng.textcheck import has_control_character

INT_LIMIT = 2**63 - 1  # the widest integer column on either database
MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_FILE_NAME = 255
NUMBER_RE = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$|^\s*[+-]?(nan|inf|infinity)\s*$", re.IGNORECASE)
DATE_RE = re.compile(r"^\s*[+-]?(\d{4,})-\d{1,2}-\d{1,2}([T ].*)?$")
# Query parameters that are free text: a search for "1e30" is just words.
FREE_TEXT_PARAMS = frozenset({"q", "search", "description", "title", "note", "next"})

# Chinese labels of the parameters and fields a hostile request most often names.
LABELS = {
    "title": gettext_lazy("the title"), "description": gettext_lazy("the description"), "address": gettext_lazy("the address"),
    "reporter_name": gettext_lazy("the reporter's name"), "reporter_phone": gettext_lazy("the phone number"),
    "reporter_id_number": gettext_lazy("the ID number"), "number": gettext_lazy("the case number"), "q": gettext_lazy("the search words"),
    "unit": gettext_lazy("the responsible unit"), "state": gettext_lazy("the state"), "category": gettext_lazy("the category"),
    "area": gettext_lazy("the area"), "created_after": gettext_lazy("the start time"), "created_before": gettext_lazy("the end time"),
    "start_date": gettext_lazy("the start date"), "end_date": gettext_lazy("the end date"), "note": gettext_lazy("the note"),
    "service_request_id": gettext_lazy("the request number"), "service_code": gettext_lazy("the service"),
    "fields": gettext_lazy("the category fields"), "files": gettext_lazy("the attached files"), "path": gettext_lazy("the address of the page"),
    "idempotency_key": gettext_lazy("the Idempotency-Key header"), "at": gettext_lazy("the time"), "source_ref": gettext_lazy("the source reference"),
    "before": gettext_lazy("the page position"), "limit": gettext_lazy("the page size"), "password": gettext_lazy("the password"),
    "username": gettext_lazy("the user name"), "body": gettext_lazy("the request body"),
}


class HostileInput(Exception):
    """Input refused before any view: ``field`` is the parameter's key (dotted for JSON)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def label_of(field: str) -> str:
    head = field.split(".")[0]
    label = LABELS.get(head)
    if label is None:
        return _("the value “%(field)s”") % {"field": field[:60]}
    return str(label) if head == field else f"{label}（{field[:60]}）"


def _control(field: str) -> HostileInput:
    return HostileInput(field, _("%(label)s contains a control character (such as NUL); remove it and try again"))


def _check_text(field: str, value: str) -> None:
    if has_control_character(value):
        raise _control(field)


def _check_number(field: str, value: float | int) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise HostileInput(field, _("%(label)s must be a finite number"))
    if abs(value) > INT_LIMIT:
        raise HostileInput(field, _("%(label)s is out of range"))


def _check_date_like(field: str, value: str) -> None:
    """A value that looks like a date must lie in 1900–2200 (so nothing overflows on conversion)."""
    match = DATE_RE.match(value)
    if match and not (MIN_YEAR <= int(match.group(1)[:6]) <= MAX_YEAR):
        raise HostileInput(field, _("%(label)s must be a date between the years 1900 and 2200"))


def _check_query_value(field: str, value: str) -> None:
    _check_text(field, value)
    if field in FREE_TEXT_PARAMS:
        return
    if NUMBER_RE.match(value):
        try:
            number = float(value)
        except ValueError:
            number = math.inf
        _check_number(field, number)
    _check_date_like(field, value)


def _walk_json(path: str, value: Any) -> None:
    if isinstance(value, str):
        _check_text(path or "body", value)
        if len(value) <= 40:  # a date or time, not free text that happens to start with one
            _check_date_like(path or "body", value)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        _check_number(path or "body", value)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk_json(f"{path}.{i}" if path else str(i), item)
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            _check_text(child, str(key))
            _walk_json(child, item)


def _reject_constant(name: str) -> float:
    raise ValueError(name)


def _check_json_body(body: bytes) -> None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HostileInput("body", _("%(label)s is not UTF-8 text")) from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        if str(exc) in ("NaN", "Infinity", "-Infinity"):
            raise HostileInput(_first_key_before(text, str(exc)), _("%(label)s must be a finite number")) from None
        return  # not JSON at all: the API's own parser names that error
    _walk_json("", data)


def _first_key_before(text: str, token: str) -> str:
    """Best effort: the JSON key just before a NaN/Infinity literal, for the error's ``field``."""
    before = text[: text.find(token)]
    keys = re.findall(r'"([^"\\]{1,80})"\s*:', before)
    return keys[-1] if keys else "body"


def check_request(request: HttpRequest) -> None:
    """Raise HostileInput for the first hostile part of ``request``."""
    _check_text("path", request.path)
    for key, values in request.GET.lists():
        _check_text(key, key)
        for value in values:
            _check_query_value(key, value)
    if key_header := request.META.get("HTTP_IDEMPOTENCY_KEY"):
        _check_text("idempotency_key", key_header)
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            posted, uploaded = request.POST, request.FILES
        except (SuspiciousOperation, MultiPartParserError):
            raise HostileInput("body", _("%(label)s could not be read (too large, too many parts, or malformed)")) from None
        for key, values in posted.lists():
            _check_text(key, key)
            for value in values:
                _check_text(key, value)
        for key, files in uploaded.lists():
            for upload in files:
                name = upload.name or ""
                _check_text(key, name)
                if len(name) > MAX_FILE_NAME:
                    raise HostileInput(key, _("%(label)s: a file name is longer than 255 characters"))
    elif content_type == "application/json" or content_type.endswith("+json") or request.path.startswith("/api/"):
        try:
            body = request.body
        except SuspiciousOperation:
            raise HostileInput("body", _("%(label)s could not be read (too large, too many parts, or malformed)")) from None
        _check_json_body(body)


def bad_request_response(request: HttpRequest, exc: HostileInput, message: str | None = None, status: int = 400) -> HttpResponse:
    """The 400 (or ``status``) in the format of the part of the site that was asked."""
    if message is None:
        message = exc.reason % {"label": label_of(exc.field)}
        message = message[:1].upper() + message[1:]
    if request.path.startswith("/api/"):
        code = "invalid" if status == 400 else "field_key"
        return JsonResponse({"code": code, "message": message, "field": exc.field}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    if request.path.startswith("/open311/"):
        from jiceng.api.open311 import render_error

        fmt = "xml" if request.path.endswith(".xml") else "json"
        return render_error(fmt, status, message)
    return render(request, "security/bad_request.html", {"message": message, "field": exc.field}, status=status)


class HostileInputMiddleware:
    """Answer hostile input with a 400 before any view sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except HostileInput as exc:
            return bad_request_response(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A domain InvalidInput no view caught (e.g. a bogus list filter on a web page) is a 400, not a 500."""
        from jiceng.cases.errors import InvalidInput

        if isinstance(exception, InvalidInput):
            return bad_request_response(request, HostileInput(exception.field or "", "%(label)s"), message=exception.message)
        if isinstance(exception, SealedKeyError):
            # The field key ring is missing or does not fit the data: the operator's problem, said plainly (503).
            return bad_request_response(request, HostileInput("", "%(label)s"), message=exception.message, status=503)
        return None
