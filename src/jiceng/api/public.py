"""Endpoints without login: follow a case by number, and rate-limited public submission."""

from __future__ import annotations

from django.conf import settings
from functools import wraps

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from ninja import Header, Router, Status
from ninja.decorators import decorate_view

from jiceng.cases.actions import do_submit
from jiceng.cases.models import Case
from jiceng.cases.states import Channel

from . import serialize
from .cases import lookup_submission
from .errors import NotFound, RateLimited
from .schemas import ErrorOut, PublicCaseIn, TrackOut

router = Router(tags=["public"], auth=None)


def client_address(group: str, request: HttpRequest) -> str:
    """The rate-limit key; a WSGI server may omit REMOTE_ADDR (schemathesis found this)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


@router.get("/cases/{number}", response={200: TrackOut, 404: ErrorOut}, summary="Follow a case by its number (no personal data)")
def track_case(request: HttpRequest, number: str):
    case = Case.objects.select_related("category", "area", "unit").filter(number=number).first()
    if case is None:
        raise NotFound(_("No case has the number %(number)s") % {"number": number})
    return serialize.track_out(case)


def json_only(view):
    """Refuse every body that is not ``application/json`` with 415, before it is parsed.

    A browser may send ``text/plain``, form or multipart bodies cross-site
    without a CORS preflight; a JSON content type it cannot send without one.
    So a foreign page cannot make its visitors file reports.
    """

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        if request.content_type != "application/json":
            body = {"code": "unsupported_media_type", "message": _("Send the report as JSON (Content-Type: application/json)"),
                    "field": "Content-Type"}
            return JsonResponse(body, status=415, json_dumps_params={"ensure_ascii": False})
        return view(request, *args, **kwargs)

    return guarded


@router.post("/cases", response={200: TrackOut, 201: TrackOut, 400: ErrorOut, 415: ErrorOut, 429: ErrorOut},
             summary="Report a matter without an account (JSON only; rate limited per address)")
@decorate_view(json_only)
def public_submit(request: HttpRequest, payload: PublicCaseIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    if is_ratelimited(request, group="public-submit", key=client_address, rate=settings.PUBLIC_SUBMIT_RATE, increment=True):
        raise RateLimited(_("Too many reports from your address; try again later"))
    refs = lookup_submission(payload)
    case, created = do_submit(
        user=None, title=payload.title, description=payload.description, address=payload.address, channel=Channel.API,
        fields=payload.fields, anonymous=payload.anonymous, reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone, idempotency_key=idempotency_key, **refs,
    )
    return Status(201 if created else 200, serialize.track_out(case))
