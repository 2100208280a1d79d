"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) in JSON and XML.

Services are the leaf case categories; a service's attributes are the
category's submit-stage fields. Requests are cases: POST goes through
``do_submit`` like every other intake, GET through the scoped query layer.
Personal data never leaves through this endpoint: addresses are masked and
reporter details are not part of GeoReport's request fields.

Locations, as the specification allows: ``lat``+``long`` (WGS-84; a client on a
Chinese phone map may add ``coordinate_system=gcj02``), ``address_string`` (matched
against village, grid and landmark names) or ``address_id`` (a village or grid
code; a village's own key may omit all of them). A request that cannot be placed
is never refused: it waits in the county's 待定位 queue and the answer carries
only a ``token``; ``GET tokens/{token}`` gives the request id once a dispatcher
has placed it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from django.conf import settings

from jiceng.areas.models import Area, AreaLevel
from jiceng.cases import access
from jiceng.cases.actions import Idempotency
from jiceng.cases.intake import PlaceClaim, case_for_token, do_report
from jiceng.cases.errors import CaseError
from jiceng.cases.models import Case, Category
from jiceng.cases.sla import SHANGHAI
from jiceng.cases.states import Channel
from jiceng.throttle import check_rate

from .keys import find_api_key

DEFAULT_WINDOW = timedelta(days=90)  # the spec's default when no dates are given
MAX_RESULTS = 1000
RETRY_WINDOW = timedelta(minutes=10)  # the same content from the same key within this window is a retry
# GeoReport has two statuses: a case is "closed" for a 311 client once it is resolved.
OPEN311_OPEN_STATES = access.PUBLIC_OPEN_STATES
DATATYPES = {"text": "string", "integer": "number", "number": "number", "date": "datetime", "choice": "singlevaluelist",
             "boolean": "singlevaluelist", "list": "text"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


# --- rendering ---------------------------------------------------------------

def _xml_node(parent: ET.Element, tag: str, value: Any, item_tags: dict[str, str]) -> None:
    node = ET.SubElement(parent, tag)
    if isinstance(value, list):
        for item in value:
            _xml_node(node, item_tags.get(tag, "item"), item, item_tags)
    elif isinstance(value, dict):
        for key, val in value.items():
            _xml_node(node, key, val, item_tags)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


# Element names of list items, as in the specification's XML examples.
ITEM_TAGS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute", "values": "value"}


def render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """JSON is the bare list/object; XML wraps it in ``root`` with the spec's item names."""
    if fmt == "json":
        return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    element = ET.Element(root)
    items = data if isinstance(data, list) else [data]
    if isinstance(data, list):
        for item in items:
            _xml_node(element, ITEM_TAGS.get(root, "item"), item, ITEM_TAGS)
    else:
        for key, val in data.items():
            _xml_node(element, key, val, ITEM_TAGS)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def render_error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)


def w3c(dt: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset local users read, seconds precision."""
    return dt.astimezone(SHANGHAI).isoformat(timespec="seconds") if dt else None


def _parse_w3c(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, _("%(name)s is not a W3C date-time: %(value)s") % {"name": name, "value": value}) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


# --- services ----------------------------------------------------------------

def _service(c: Category) -> dict:
    has_attributes = any(s.get("stage", "submit") == "submit" for s in c.field_specs())
    return {
        "service_code": c.code, "service_name": c.name, "description": c.description or c.name, "metadata": has_attributes,
        "type": "realtime", "keywords": c.parent.name if c.parent_id else "", "group": c.parent.name if c.parent_id else c.name,
    }


def _attribute(spec: dict, order: int) -> dict:
    datatype = DATATYPES[spec["type"]]
    attr = {
        "variable": True, "code": spec["name"], "datatype": datatype, "required": bool(spec.get("required")),
        "datatype_description": {"list": _("Several values separated by commas"), "date": _("A date, YYYY-MM-DD")}.get(spec["type"], ""),
        "order": order, "description": spec["label"],
    }
    if spec["type"] == "choice":
        attr["values"] = [{"key": v, "name": v} for v in spec["choices"]]
    elif spec["type"] == "boolean":
        attr["values"] = [{"key": "true", "name": _("Yes")}, {"key": "false", "name": _("No")}]
    return attr


def _leaf_services():
    return Category.objects.filter(active=True, children__isnull=True).select_related("parent")


# --- requests ----------------------------------------------------------------

def _request(case: Case, *, with_description: bool) -> dict:
    """A GeoReport request: the public fields of the case (access.public_view); free text only for keys in scope."""
    public = access.public_view(case)
    return {
        "service_request_id": public["number"], "status": "open" if public["is_open"] else "closed",
        "status_notes": public["state_label"], "service_name": public["category"], "service_code": public["category_code"],
        "description": case.description if with_description else "", "agency_responsible": public["unit"] or "",
        "service_notice": "", "requested_datetime": w3c(public["created_at"]), "updated_datetime": w3c(public["updated_at"]),
        "expected_datetime": w3c(public["deadline"]), "address": public["area"], "address_id": public["area_code"],
        "zipcode": "", "lat": None, "long": None, "media_url": "",
    }


def _readable(request: HttpRequest, key):
    """With a key, the key's scope; without one, the public's (public categories only), rate-limited."""
    if key is not None:
        return access.visible_cases(key.user)
    check_rate(request, "public-track", settings.PUBLIC_TRACK_RATE)
    return access.public_cases()


def _caller(request: HttpRequest, required: bool):
    raw = request.POST.get("api_key") or request.GET.get("api_key") or ""
    key = find_api_key(raw) if raw else None
    if raw and key is None:
        raise Open311Error(403, _("The api_key is not valid or has been revoked"))
    if required and key is None:
        raise Open311Error(403, _("An api_key is required to submit a request"))
    return key


def _check_jurisdiction(jurisdiction_id: str) -> str | None:
    """The county prefix a jurisdiction_id names (6-digit or 12-digit county code)."""
    if not jurisdiction_id:
        return None
    code = jurisdiction_id.strip()
    code12 = code.ljust(12, "0") if len(code) == 6 else code
    if not Area.objects.filter(code=code12, level=AreaLevel.COUNTY).exists():
        raise Open311Error(404, _("jurisdiction_id %(id)s is not served here") % {"id": jurisdiction_id})
    return code12[:6]


def _submit(request: HttpRequest, key) -> dict:
    post = request.POST
    county = _check_jurisdiction(post.get("jurisdiction_id", ""))
    code = post.get("service_code", "").strip()
    category = _leaf_services().filter(code=code).first()
    if category is None:
        raise Open311Error(404 if code else 400, _("service_code %(code)s not found") % {"code": code} if code else _("service_code is required"))
    claim = _place_claim(post, key)
    if county and claim.address_id and not claim.address_id.startswith(county):
        raise Open311Error(400, _("address_id %(code)s is not in jurisdiction %(j)s") % {"code": claim.address_id, "j": county})
    fields = {}
    for spec in category.field_specs():
        values = post.getlist(f"attribute[{spec['name']}]") or post.getlist(f"attribute[{spec['name']}][]")
        if not values:
            continue
        value: Any = values if spec["type"] == "list" and len(values) > 1 else values[0]
        if spec["type"] == "date" and isinstance(value, str) and "T" in value:
            value = value[:10]
        fields[spec["name"]] = value
    description = post.get("description", "").strip()
    name = (post.get("last_name", "") + post.get("first_name", "")).strip()
    # A retry: the client's own key if it sends one, else the same content from the same key shortly after.
    client_key = request.headers.get("Idempotency-Key", "")
    idem = Idempotency(client_key, str(key.user.pk), None if client_key else RETRY_WINDOW)
    try:
        intake = do_report(
            user=key.user, category=category, claim=claim, jurisdiction=county or "", title=(description[:40] or category.name),
            description=description, channel=Channel.API, fields=fields, reporter_name=name,
            reporter_phone=post.get("phone", ""), anonymous=not name and category.allow_anonymous,
            source_ref=(post.get("device_id") or post.get("account_id") or ""), idempotency=idem,
        )
    except CaseError as exc:
        raise Open311Error(_open311_status(exc), exc.message) from None
    if intake.pending is not None:
        # GeoReport's answer when the request has no id yet: a token to ask about later (GET tokens/{token}).
        return {"token": intake.pending.token, "service_notice": _("Received; a dispatcher will place it on the map shortly"),
                "account_id": post.get("account_id", "")}
    case = intake.case
    token = case.open311_token or _issue_token(case)
    notice = _("Track it at /track/ with number %(n)s and query code %(code)s") % {"n": case.number, "code": case.query_code}
    return {"service_request_id": case.number, "token": token, "service_notice": notice, "account_id": post.get("account_id", "")}


def _number(post, name: str) -> float | None:
    raw = (post.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, _("%(name)s must be a decimal number") % {"name": name}) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Open311Error(400, _("%(name)s must be a decimal number") % {"name": name})
    return value


def _place_claim(post, key) -> PlaceClaim:
    """The spec's location: lat+long (WGS-84; `coordinate_system=gcj02` for Chinese phone maps), address_string or address_id."""
    address_id = post.get("address_id", "").strip()
    lat, lon = _number(post, "lat"), _number(post, "long")
    if not address_id and lat is None and not post.get("address_string", "").strip():
        if key.user.scope_area_id and key.user.scope_area.level == AreaLevel.VILLAGE:
            address_id = key.user.scope_area_id  # a village's own key may leave the place out
        else:
            raise Open311Error(400, _("A location is required: lat and long, address_string or address_id"))
    crs = (post.get("coordinate_system") or "wgs84").strip().lower()
    return PlaceClaim(address_id=address_id, lat=lat, lon=lon, crs=crs, address_string=post.get("address_string", "").strip())


def _open311_status(exc: CaseError) -> int:
    from .errors import status_of

    status = status_of(exc)
    return 400 if status == 422 else status


def _issue_token(case: Case) -> str:
    token = uuid.uuid4().hex
    Case.objects.filter(pk=case.pk, open311_token__isnull=True).update(open311_token=token)
    return Case.objects.values_list("open311_token", flat=True).get(pk=case.pk)


def _query(request: HttpRequest, key) -> list[dict]:
    get = request.GET
    _check_jurisdiction(get.get("jurisdiction_id", ""))
    qs = _readable(request, key).select_related("category", "unit", "area")
    ids = [i.strip() for i in get.get("service_request_id", "").split(",") if i.strip()]
    if ids:  # the spec: with ids, all other filters are ignored
        qs = qs.filter(number__in=ids[:MAX_RESULTS])
    else:
        if codes := [c.strip() for c in get.get("service_code", "").split(",") if c.strip()]:
            qs = qs.filter(category__code__in=codes)
        start = _parse_w3c(get["start_date"], "start_date") if get.get("start_date") else None
        end = _parse_w3c(get["end_date"], "end_date") if get.get("end_date") else None
        if start is None and end is None:
            start = timezone.now() - DEFAULT_WINDOW
        if start:
            qs = qs.filter(created_at__gte=start)
        if end:
            qs = qs.filter(created_at__lte=end)
        statuses = {s.strip() for s in get.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status must be open or closed"))
        if statuses == {"open"}:
            qs = qs.filter(state__in=OPEN311_OPEN_STATES)
        elif statuses == {"closed"}:
            qs = qs.exclude(state__in=OPEN311_OPEN_STATES)
    return [_request(c, with_description=key is not None) for c in qs.order_by("-created_at")[:MAX_RESULTS]]


# --- views -------------------------------------------------------------------

def _handle(fmt: str, root: str, fn) -> HttpResponse:
    try:
        return render(fmt, root, fn())
    except Open311Error as exc:
        return render_error(fmt, exc.status, exc.description)
    except CaseError as exc:  # a domain error outside submission, e.g. the public rate limit
        return render_error(fmt, _open311_status(exc), exc.message)


def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": "2026-11-23T00:00:00+08:00", "contact": _("The county's grid governance centre"),
        "key_service": _("Ask the county administrator for an API key (jiceng apikey create)"),
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base, "changeset": "2026-11-23T00:00:00+08:00",
                       "type": "production", "formats": ["application/json", "text/xml"]}],
    }
    return render(fmt, "discovery", data)


def services(request: HttpRequest, fmt: str) -> HttpResponse:
    def run():
        _check_jurisdiction(request.GET.get("jurisdiction_id", ""))
        return [_service(c) for c in _leaf_services()]

    return _handle(fmt, "services", run)


def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    def run():
        _check_jurisdiction(request.GET.get("jurisdiction_id", ""))
        c = _leaf_services().filter(code=code).first()
        if c is None:
            raise Open311Error(404, _("service_code %(code)s not found") % {"code": code})
        specs = [s for s in c.field_specs() if s.get("stage", "submit") == "submit"]
        return {"service_code": c.code, "attributes": [_attribute(s, i) for i, s in enumerate(specs, 1)]}

    return _handle(fmt, "service_definition", run)


@csrf_exempt
def requests_(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _handle(fmt, "service_requests", lambda: [_submit(request, _caller(request, required=True))])
    if request.method == "GET":
        return _handle(fmt, "service_requests", lambda: _query(request, _caller(request, required=False)))
    return render_error(fmt, 405, _("Method not allowed"))


def request_one(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    def run():
        key = _caller(request, required=False)
        case = _readable(request, key).select_related("category", "unit", "area").filter(number=request_id).first()
        if case is None:
            raise Open311Error(404, _("service_request_id %(id)s not found") % {"id": request_id})
        return [_request(case, with_description=key is not None)]

    return _handle(fmt, "service_requests", run)


def token(request: HttpRequest, token_id: str, fmt: str) -> HttpResponse:
    def run():
        case, known = case_for_token(token_id)
        if not known:
            raise Open311Error(404, _("token %(token)s not found") % {"token": token_id})
        return [{"service_request_id": case.number if case else None, "token": token_id}]

    return _handle(fmt, "service_requests", run)
