"""Endpoints without login: follow a case (number + 查询码), and rate-limited public submission.

What the public may see is decided by ``jiceng.cases.access`` (public
categories, or the case whose query code the caller holds; no people, no free
text); this module only translates.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from jiceng.cases import access
from jiceng.cases.actions import Idempotency, do_submit
from jiceng.cases.states import Channel
from jiceng.throttle import check_rate, client_address

from .cases import lookup_submission
from .schemas import ErrorOut, PublicCaseIn, TrackOut

router = Router(tags=["public"], auth=None)


def track_out(case, *, with_code: bool = False) -> dict:
    data = access.public_view(case)
    data["category"] = case.category.name
    data["events"] = access.public_events(case)
    if with_code:
        data["query_code"] = case.query_code
    return data


@router.get("/cases/{number}", response={200: TrackOut, 404: ErrorOut, 429: ErrorOut},
            summary="Follow a case by its number and query code (no personal data)",
            description="Cases of public categories need no code; every other case needs the 查询码 given at submission.")
def track_case(request: HttpRequest, number: str, code: str = Query("", description="The 查询码 given at submission")):
    check_rate(request, "public-track", settings.PUBLIC_TRACK_RATE)
    return track_out(access.track_case(number, code))


@router.post("/cases", response={200: TrackOut, 201: TrackOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             summary="Report a matter without an account (rate limited per address)",
             description="Keep the returned `query_code`: with the case number it lets you follow the case.")
def public_submit(request: HttpRequest, payload: PublicCaseIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    check_rate(request, "public-submit", settings.PUBLIC_SUBMIT_RATE, _("Too many reports from your address; try again later"))
    refs = lookup_submission(payload)
    # Anonymous callers share no key space: the client's address is the namespace.
    idem = Idempotency(idempotency_key, "public:" + client_address("", request)) if idempotency_key else None
    case, created = do_submit(
        user=None, title=payload.title, description=payload.description, address=payload.address, channel=Channel.API,
        fields=payload.fields, anonymous=payload.anonymous, reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone, idempotency=idem, **refs,
    )
    return Status(201 if created else 200, track_out(case, with_code=True))
