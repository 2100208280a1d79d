"""REST endpoints of the case engine: cases (list, read, submit, every workflow action, attachments,
history), categories, report summary, and the public endpoints (tracking, anonymous submission).

Every read goes through ``visible_cases``; every write through ``do_submit`` or
``do_case_action`` — the same functions the web UI calls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import Field, create_model

from jiceng.areas.models import Area, Grid

from jiceng.schemas import ErrorOut
from jiceng.throttle import check_rate, client_address

from . import access, board, files, serialize, workbench, workflow
from .actions import Idempotency, Upload, do_case_action, do_submit
from .intake import PlaceClaim, do_report
from .errors import InvalidInput, NotFound
from .filters import CaseFilter, count_upto, filter_cases, page_of
from .models import Case, Category
from .states import Action, Channel, Rating
from . import reports as case_reports
from .schemas import (
    AllowedAction, AttachmentOut, BoardOut, CaseIn, CaseOut, CasePage, CaseSummary, CategoryOut, EventOut, PublicCaseIn, QueuedOut,
    SummaryOut, TrackOut,
)

router = Router(tags=["cases"])
public_router = Router(tags=["public"], auth=None)
reports_router = Router(tags=["reports"])
categories_router = Router(tags=["registry"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def get_visible_case(request: HttpRequest, number: str) -> Case:
    """The case if this user may read it; 404 otherwise, so existence is not revealed."""
    return access.access_case(request.user, number)


class CaseQuery(Schema):
    state: str = Field("", description="A state, or `open` for every unfinished state")
    category: str = Field("", description="Category code; includes its subcategories")
    area: str = Field("", description="Area code or code prefix (e.g. a township's 9 digits)")
    q: str = Field("", description="Case number, or words in the title, description, address or village name; "
                                    "staff with a need may give the reporter's phone")
    unit: int | None = Field(None, description="Handling unit id")
    overdue: bool = False
    supervised: bool = Field(False, description="Only cases supervised (督办) at least once")
    urgency: str = Field("", description="normal, urgent or critical")
    channel: str = Field("", description="The intake channel, e.g. hotline, patrol, web")
    created_after: datetime | None = None
    created_before: datetime | None = None
    before: int | None = Field(None, description="Keyset cursor: `next_before` of the previous page")
    limit: int = Field(50, ge=1, le=200)


@router.get("", response={200: CasePage, **ERRORS}, summary="List cases visible to the caller")
def list_cases(request: HttpRequest, query: Query[CaseQuery]):
    data = query.dict()
    limit = data.pop("limit")
    qs = access.visible_cases(request.user).select_related("category", "area", "unit")
    items, next_before = page_of(filter_cases(qs, CaseFilter(**data), by_phone=access.may_search_by_phone(request.user)), limit)
    return {"items": [serialize.case_summary(c) for c in items], "next_before": next_before}


def lookup_category(code: str) -> Category:
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise InvalidInput(_("“%(code)s” is not a category in use that cases can be filed under") % {"code": code}, field="category")
    return category


def lookup_submission(payload: CaseIn | Any) -> dict:
    """Turn the codes of a submission into objects; whether they may be used is the domain's decision."""
    category = lookup_category(payload.category)
    area = Area.objects.filter(code=payload.area).first()
    if area is None:
        raise InvalidInput(_("No village or community has the code %(code)s") % {"code": payload.area}, field="area")
    grid = None
    if getattr(payload, "grid", None):
        grid = Grid.objects.filter(code=payload.grid, area=area).first()
        if grid is None:
            raise InvalidInput(_("No grid %(code)s in this village") % {"code": payload.grid}, field="grid")
    return {"category": category, "area": area, "grid": grid}


@router.post("", response={200: CaseOut, 201: CaseOut, 202: QueuedOut, **ERRORS, 422: ErrorOut}, summary="Submit a case (点单)",
             description="The place is `area` (a village code), or else found from `lat`/`long` or `address`; a report that cannot "
                         "be placed waits for a dispatcher (202). With an `Idempotency-Key` header a retried request returns the "
                         "original case with status 200; the same key with other content is 422.")
def submit_case(request: HttpRequest, payload: CaseIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    idem = Idempotency(idempotency_key, str(request.user.pk)) if idempotency_key else None
    content = dict(user=request.user, title=payload.title, description=payload.description, channel=payload.channel,
                   urgency=payload.urgency, fields=payload.fields, anonymous=payload.anonymous, reporter_name=payload.reporter_name,
                   reporter_phone=payload.reporter_phone, reporter_id_number=payload.reporter_id_number, source_ref=payload.source_ref,
                   idempotency=idem)
    if payload.area:
        case, created = do_submit(address=payload.address, **lookup_submission(payload), **content)
    else:
        category = lookup_category(payload.category)
        claim = PlaceClaim(address_id=payload.grid or "", lat=payload.lat, lon=payload.long, crs=payload.crs,
                           address_string=payload.address)
        intake = do_report(category=category, claim=claim, **content)
        if intake.pending is not None:
            return Status(202, {"queued": True, "token": intake.pending.token,
                                "message": _("Received; a dispatcher will place it on the map shortly")})
        case, created = intake.case, intake.created
    # No re-read: the caller filed it (or filed it before, for a retry), so it is theirs to see (scope key p<user>).
    return Status(201 if created else 200, serialize.case_detail(case, request.user, reveal=False))


@router.get("/{number}", response={200: CaseOut, **ERRORS}, summary="Read one case",
            description="Personal data is masked. `reveal=true` returns it unmasked to staff who need it, and the access is logged.")
def read_case(request: HttpRequest, number: str, reveal: bool = False):
    case = get_visible_case(request, number)
    return serialize.case_detail(case, request.user, reveal=reveal)


@router.get("/{number}/events", response={200: list[EventOut], **ERRORS}, summary="The case's audited history")
def case_events(request: HttpRequest, number: str):
    case = get_visible_case(request, number)
    text = access.case_text(request.user, case)
    return [serialize.event_out(e, text) for e in case.events.select_related("unit").order_by("seq")]


@router.get("/{number}/allowed-actions", response={200: list[AllowedAction], **ERRORS}, summary="Actions the caller may take now")
def allowed_actions(request: HttpRequest, number: str):
    case = get_visible_case(request, number)
    return [{"action": a, "label": str(Action(a).label)} for a in access.allowed_action_names(request.user, case)]


@router.get("/{number}/attachments", response={200: list[AttachmentOut], **ERRORS}, summary="Files attached to the case")
def list_attachments(request: HttpRequest, number: str):
    case = get_visible_case(request, number)
    return [
        {"id": a.pk, "name": a.name, "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
         "uploaded_at": a.uploaded_at, "event_seq": a.event.seq if a.event_id else None}
        for a in case.attachments.select_related("event").order_by("pk")
    ]


@router.get("/{number}/attachments/{attachment_id}", response={200: None, **ERRORS}, summary="Download an attachment")
def download_attachment(request: HttpRequest, number: str, attachment_id: int):
    att, data = files.open_attachment(request.user, number, attachment_id)
    response = HttpResponse(data, content_type=att.content_type)
    response["Content-Disposition"] = content_disposition_header(True, att.name)
    return response


@router.post("/{number}/attachments", response={200: CaseOut, **ERRORS}, summary="Attach files with a progress note",
             description="Recorded as a `note` action; size and type limits apply.")
def add_attachments(request: HttpRequest, number: str, note: Form[str], files: File[list[UploadedFile]],
                    expected_version: Form[int | None] = None):
    case = get_visible_case(request, number)
    uploads = [Upload(f.name or "file", f.read(settings.ATTACHMENT_MAX_BYTES + 1), f.content_type or "application/octet-stream") for f in files]
    case = do_case_action(case, Action.NOTE, request.user, {"note": note}, expected_version=expected_version, uploads=uploads)
    return serialize.case_detail(get_visible_case(request, case.number), request.user, reveal=False)


# --- one endpoint per workflow action, with a body built from the same field list as the web forms ---

_WIDGET_TYPES: dict[str, Any] = {
    "textarea": str, "text": str, "date": str, "unit": int, "next_unit": int,
    "rating": Literal[tuple(Rating.values)], "decision": Literal["reopen", "uphold"], "resolve_fields": dict[str, Any],
}
_WIDGET_HELP = {
    "date": "ISO date (end of that working day, 17:30 Asia/Shanghai) or ISO datetime with offset",
    "unit": "Unit id; empty: the routing suggestion", "next_unit": "Unit id at the next tier; empty: the routing suggestion",
}


def _action_schema(action: str) -> type[Schema]:
    spec: dict[str, Any] = {
        "expected_version": (int | None, Field(None, description="The `version` you read; 409 if the case changed since")),
    }
    for param in workflow.PARAMS[action]:
        if param.kind == "files":
            continue  # files go through POST /attachments
        typ = _WIDGET_TYPES[param.kind]
        spec[param.name] = (typ | None, Field(None, description=_WIDGET_HELP.get(param.kind, str(param.label))))
    return create_model(f"{''.join(p.title() for p in action.split('_'))}In", __base__=Schema, **spec)


def _register_action(action: str) -> None:
    body = _action_schema(action)

    def perform(request: HttpRequest, number: str, payload: body):  # type: ignore[valid-type]
        case = get_visible_case(request, number)
        params = {k: v for k, v in payload.dict().items() if v is not None and k != "expected_version"}
        case = do_case_action(case, action, request.user, params, expected_version=payload.expected_version)
        return serialize.case_detail(get_visible_case(request, case.number), request.user, reveal=False)

    # Annotations are strings in this module; give ninja the real body class.
    perform.__annotations__ = {"request": HttpRequest, "number": str, "payload": body}
    perform.__name__ = f"case_{action}"
    router.post(
        f"/{{number}}/{action.replace('_', '-')}", response={200: CaseOut, **ERRORS}, operation_id=f"case_{action}",
        summary=str(Action(action).label), description=f"Workflow action `{action}`; allowed only where GET allowed-actions lists it.",
    )(perform)


for _action in workflow.PERSON_ACTIONS:
    _register_action(_action)


# --- categories ---------------------------------------------------------------

def _category_out(c: Category, leaf: bool) -> dict:
    return {
        "code": c.code, "name": c.name, "parent": c.parent.code if c.parent_id else None, "description": c.description,
        "start_level": c.start_level, "allow_anonymous": c.allow_anonymous, "leaf": leaf,
        "fields": [
            {"name": s["name"], "label": s["label"], "type": s["type"], "required": bool(s.get("required")),
             "stage": s.get("stage", "submit"), "choices": s.get("choices")}
            for s in c.field_specs()
        ],
    }


@categories_router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="Case categories with their fields")
def list_categories(request: HttpRequest):
    parents = set(Category.objects.filter(parent__isnull=False).values_list("parent_id", flat=True))  # one query, not one per row
    return [_category_out(c, c.pk not in parents) for c in Category.objects.filter(active=True).select_related("parent")]


@categories_router.get("/categories/{code}", response={200: CategoryOut, **ERRORS}, summary="One category")
def read_category(request: HttpRequest, code: str):
    c = Category.objects.filter(code=code).select_related("parent").first()
    if c is None:
        raise NotFound(_("No category has the code %(code)s") % {"code": code})
    return _category_out(c, not c.children.exists())


# --- report summary -------------------------------------------------------------

@reports_router.get("/summary", response={200: SummaryOut, 401: ErrorOut}, summary="Totals by state, category, level and rating")
def report_summary(request: HttpRequest, area: str = "", category: str = "", created_after: datetime | None = None,
                   created_before: datetime | None = None):
    f = CaseFilter(area=area, category=category, created_after=created_after, created_before=created_before)
    return case_reports.summary(filter_cases(access.visible_cases(request.user), f))


# --- public: no login ------------------------------------------------------------

def track_out(case, *, with_code: bool = False) -> dict:
    data = access.public_view(case)
    data["category"] = case.category.name
    data["events"] = access.public_events(case)
    if with_code:
        data["query_code"] = case.query_code
    return data


@public_router.get("/cases/{number}", response={200: TrackOut, 404: ErrorOut, 429: ErrorOut},
            summary="Follow a case by its number and query code (no personal data)",
            description="Cases of public categories need no code; every other case needs the 查询码 given at submission "
                        "or the last four digits of the reporter's phone (wrong digits are counted per case: after 10 in an hour "
                        "only the 查询码 opens it).")
def track_case(request: HttpRequest, number: str,
               code: str = Query("", description="The 查询码 given at submission, or the last four digits of the reporter's phone")):
    check_rate(request, "public-track", settings.PUBLIC_TRACK_RATE)
    return track_out(access.track_case(number, code))


@public_router.get("/board", response={200: BoardOut, 400: ErrorOut},
                   summary="The public board (公开栏): public cases with their progress and, once resolved, the result (masked)",
                   description="Cases of public categories only (never petitions, disputes or assistance), newest first; "
                               "filter by `township` and `village` (12-digit codes) and `state` (a state or `open`); page with `before`.")
def public_board(request: HttpRequest, township: str = "", village: str = "", state: str = "", before: str = ""):
    page = board.board_page(board.BoardFilter.from_params({"township": township, "village": village, "state": state, "before": before}))
    return {"items": page.items, "total": page.total, "next_before": page.next_before}


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


@public_router.post("/cases", response={200: TrackOut, 201: TrackOut, 400: ErrorOut, 403: ErrorOut, 415: ErrorOut, 422: ErrorOut,
                                         429: ErrorOut},
             summary="Report a matter without an account (JSON only; rate limited per address)",
             description="Keep the returned `query_code`: with the case number it lets you follow the case.")
@decorate_view(json_only)
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


# --- the workbench (我的待办) --------------------------------------------------------

workbench_router = Router(tags=["workbench"])


class QueueOut(Schema):
    key: str
    label: str
    action: str | None = Field(None, description="The action the queue waits for; null for a watch list (我督办的, 超期 …)")
    count: int = Field(description="Cases in the list, counted up to 10,000")
    count_capped: bool = Field(False, description="True when counting stopped at the cap: the list holds at least `count` cases")


class QueuePage(Schema):
    queue: QueueOut
    items: list[CaseSummary]
    next_after: str | None = Field(None, description="Pass as `after` to get the next page; null on the last page")


class BulkIn(Schema):
    action: Literal["claim", "close"] = Field(description="签收 (claim) or 销号 (close)")
    numbers: list[str] = Field(max_length=workbench.BULK_LIMIT)


class BulkOut(Schema):
    done: list[str]
    failed: list[dict[str, str]] = Field(description="Each case not changed, with the reason: {number, message}")


@workbench_router.get("", response={200: list[QueueOut], **ERRORS}, summary="The caller's work lists with their counts")
def my_queues(request: HttpRequest):
    return [{"key": q.key, "label": str(q.label), "action": q.action, "count": n.n, "count_capped": n.more}
            for q, n in workbench.queue_counts(request.user)]


@workbench_router.post("/bulk", response={200: BulkOut, **ERRORS}, summary="签收 or 销号 several cases, each checked on its own")
def bulk_action(request: HttpRequest, payload: BulkIn):
    result = workbench.do_bulk_action(request.user, payload.action, payload.numbers)
    return {"done": result.done, "failed": [{"number": n, "message": m} for n, m in result.failed]}


@workbench_router.get("/{key}", response={200: QueuePage, **ERRORS}, summary="One work list, soonest deadline first")
def my_queue(request: HttpRequest, key: str, after: str = "", limit: int = Query(workbench.PAGE_SIZE, ge=1, le=100)):
    names = {q.key for q, _qs in workbench.queues(request.user)}
    if key not in names:
        raise NotFound(_("No such work list"), field="key")
    queue, qs = workbench.queue_of(request.user, key)
    items, next_after = workbench.page(qs.select_related("category", "area", "unit"), after, limit)
    n = count_upto(qs)
    return {"queue": {"key": queue.key, "label": str(queue.label), "action": queue.action, "count": n.n, "count_capped": n.more},
            "items": [serialize.case_summary(c) for c in items], "next_after": next_after}
