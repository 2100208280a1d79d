"""Domain operations on cases: ``do_submit`` and ``do_case_action``.

Views, the API, management commands and tests all call these. Each runs in one
transaction: it checks the state machine, appends a hash-chained event and
updates the case under an optimistic version check, or changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from functools import partial
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng import filestore
from jiceng.accounts.models import Role, User
from jiceng.areas.models import NEXT_LEVEL, Area, AreaLevel, Grid, Unit, UnitLevel

from . import access, chain, due, signals, workflow
from .errors import Conflict, IdempotencyConflict, InvalidInput
from .fields import clean_fields
from .models import Attachment, Case, CaseEvent, Category
from .numbering import allocate_number
from .routing import dispatch_centre_units, suggest_unit
from .scope import record_event_scope
from .submission import check_submitter
from . import sla
from .sla import SHANGHAI
from .states import Action, Channel, State, Urgency

PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")
ALLOWED_CONTENT_TYPES = {
    "image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "video/mp4", "audio/mpeg", "audio/mp4",
    "text/plain", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Upload:
    """A file to attach: name, bytes and declared content type."""

    name: str
    content: bytes
    content_type: str


def _actor_label(user: User | None) -> str:
    return user.display_name if user is not None else _("system")


def _append_event(
    case: Case, *, action: str, from_state: str, to_state: str, user: User | None, at: datetime, unit_id: int | None, note: str, payload: dict
) -> CaseEvent:
    """Append one version-2 event: its hash covers every column a reader sees, the actor's label included."""
    seq = case.event_count + 1
    label = _actor_label(user)
    values = chain.event_values(
        case_number=case.number, action=action, from_state=from_state, to_state=to_state, actor_id=user.pk if user else None,
        actor_label=label, at=at, unit_id=unit_id, note=note, payload=payload,
    )
    digest, marks = chain.seal_event(case.last_hash, seq, values)
    event = CaseEvent(
        case=case, seq=seq, action=action, from_state=from_state, to_state=to_state, actor=user, actor_label=label,
        at=at, unit_id=unit_id, note=note, payload=payload, prev_hash=case.last_hash, hash=digest, marks=marks,
    )
    event.save(force_insert=True)
    record_event_scope(case, unit_id, first=seq == 1)  # who reads the case from now on (scope table)
    # Receivers (notifications) hear of the event only once it is committed.
    transaction.on_commit(partial(signals.announce, event.pk, case.pk, action), robust=True)
    return event


# --- attachments ----------------------------------------------------------

def _check_uploads(uploads: list[Upload]) -> list[dict]:
    """Refuse files that are too big, badly named, or whose bytes are not the declared allowed type.

    The declared content type is the client's claim; the bytes decide
    (jiceng.uploadcheck sniffs them), so an executable declared
    ``image/png`` is refused.
    """
    from jiceng.textcheck import has_control_character
    from jiceng.uploadcheck import content_matches

    described = []
    for up in uploads:
        shown = up.name[:60] + ("…" if len(up.name) > 60 else "")
        if len(up.name) > 200:
            raise InvalidInput(_("The file name “%(name)s” is too long (at most 200 characters)") % {"name": shown}, field="files")
        if has_control_character(up.name):
            raise InvalidInput(_("The file name “%(name)s” contains a control character") % {"name": shown}, field="files")
        if len(up.content) > settings.ATTACHMENT_MAX_BYTES:
            raise InvalidInput(
                _("The file “%(name)s” is larger than %(mb)s MB") % {"name": shown, "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                field="files",
            )
        if up.content_type not in ALLOWED_CONTENT_TYPES:
            raise InvalidInput(_("The file type of “%(name)s” is not allowed") % {"name": shown}, field="files")
        if not content_matches(up.content, up.content_type):
            raise InvalidInput(_("The content of “%(name)s” is not the file type it claims to be") % {"name": shown}, field="files")
        described.append({
            "name": up.name, "sha256": hashlib.sha256(up.content).hexdigest(), "size": len(up.content), "content_type": up.content_type,
        })
    return described


def _store_uploads(case: Case, event: CaseEvent, uploads: list[Upload], described: list[dict], now: datetime) -> None:
    for up, meta in zip(uploads, described, strict=True):
        att = Attachment.objects.create(
            case=case, event=event, name=meta["name"], content_type=up.content_type, size=meta["size"], sha256=meta["sha256"], uploaded_at=now
        )
        filestore.store_after_commit(att.storage_name, up.content)


# --- submit ---------------------------------------------------------------

def _clean_text(value: str, field: str, label: str, max_len: int, required: bool = True) -> str:
    from jiceng.textcheck import has_control_character, is_blank

    value = (value or "").strip()
    if has_control_character(value):
        raise InvalidInput(_("%(label)s contains a control character (such as NUL)") % {"label": label}, field=field)
    if is_blank(value):
        value = ""  # only right-to-left overrides, zero-width spaces …: nothing a reader would see
    if required and not value:
        raise InvalidInput(_("%(label)s is required") % {"label": label}, field=field)
    if len(value) > max_len:
        raise InvalidInput(_("%(label)s is too long (at most %(n)s characters)") % {"label": label, "n": max_len}, field=field)
    return value


IDEMPOTENCY_KEY_MAX = 255
PUBLIC_CALLER = "public"


@dataclass(frozen=True)
class Idempotency:
    """A client's idempotency key, in the namespace of the caller who sent it.

    ``caller`` is the user's id, or for the anonymous public the adapter's
    identification of the client (e.g. its address): two callers never share
    keys. With ``window`` and no key, the same content from the same caller
    within that window counts as a retry (Open311 clients send no key).
    """

    key: str = ""
    caller: str = ""
    window: timedelta | None = None
    # False: the key names the matter itself (e.g. one risk case per person and
    # year), so a later submission under it returns the case whatever it says.
    strict: bool = True


def stored_key(idem: Idempotency) -> str:
    """What is stored for a key: SHA-256 of (caller, key), so callers never share keys and any length fits."""
    return hashlib.sha256(f"{idem.caller}\x1f{idem.key}".encode()).hexdigest()


def checked_idempotency(idem: Idempotency | None) -> Idempotency | None:
    """The key as sent, refused when too long or holding control characters (never cut)."""
    if idem is None:
        return None
    key = (idem.key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise InvalidInput(_("The idempotency key is too long (at most %(n)s characters)") % {"n": IDEMPOTENCY_KEY_MAX}, field="idempotency_key")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key):
        raise InvalidInput(_("The idempotency key contains control characters"), field="idempotency_key")
    return Idempotency(key, idem.caller, idem.window, idem.strict)


def find_retry(model, idem: Idempotency | None, fingerprint: str, user: User | None, now: datetime, *, by: str, at: str):
    """The row (a case, or a report waiting for a place) that a retried submission already made, if any.

    With a key: the row stored under it, or IdempotencyConflict when the key
    came with other content. Without one but with a window: the same content
    from the same ``by`` user within the window (``at`` is the row's time).
    """
    if idem is None:
        return None
    if idem.key:
        earlier = model.objects.filter(idempotency_key=stored_key(idem)).first()
        if idem.strict and earlier is not None and earlier.content_fingerprint and earlier.content_fingerprint != fingerprint:
            if number := getattr(earlier, "number", ""):
                message = _("The idempotency key “%(key)s” was already used for a different report (case %(number)s); use a new key for a new report")
            else:
                message = _("The idempotency key “%(key)s” was already used for a different report; use a new key for a new report")
            raise IdempotencyConflict(message % {"key": idem.key[:40], "number": number}, field="idempotency_key")
        return earlier
    if idem.window and user is not None:
        return model.objects.filter(**{by: user, "content_fingerprint": fingerprint, f"{at}__gte": now - idem.window}).order_by("pk").first()
    return None


def check_category(category: Category) -> None:
    """Cases are filed under an active leaf category."""
    if not category.active:
        raise InvalidInput(_("The category “%(name)s” is not in use") % {"name": category.name}, field="category")
    if category.children.exists():
        raise InvalidInput(
            _("“%(name)s” is a group of categories; choose one of its subcategories") % {"name": category.name}, field="category"
        )


def _check_place(user: User | None, area: Area, grid: Grid | None) -> None:
    if area.level != AreaLevel.VILLAGE:
        raise InvalidInput(_("A case is located in a village or community"), field="area")
    if grid is not None and grid.area_id != area.code:
        raise InvalidInput(_("The grid is not in the selected village"), field="grid")
    access.check_submit(user, area)


@dataclass(frozen=True)
class CleanReport:
    """A report's content, checked and normalised, before it has a place."""

    channel: str
    urgency: str
    title: str
    description: str
    address: str
    source_ref: str
    reporter_name: str
    reporter_phone: str
    reporter_id_number: str
    anonymous: bool
    fields: dict


def clean_report(user: User | None, category: Category, *, channel: str, urgency: str, title: str, description: str, address: str,
                 source_ref: str, reporter_name: str, reporter_phone: str, reporter_id_number: str, anonymous: bool,
                 fields: dict | None) -> CleanReport:
    """Check what a report says (not where it is): channel, urgency, texts, reporter rules, category fields."""
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel"), field="channel")
    urgency = urgency or Urgency.NORMAL
    if urgency not in Urgency.values:
        raise InvalidInput(_("Unknown urgency"), field="urgency")
    title = _clean_text(title, "title", _("The title"), 120)
    description = _clean_text(description, "description", _("The description"), 4000)
    address = _clean_text(address, "address", _("The address"), 200, required=False)
    source_ref = _clean_text(source_ref, "source_ref", _("The source reference"), 64, required=False)
    reporter_name = _clean_text(reporter_name, "reporter_name", _("The reporter's name"), 32, required=False)
    reporter_phone = _clean_text(reporter_phone, "reporter_phone", _("The phone number"), 20, required=False)
    if reporter_phone and not PHONE_RE.match(reporter_phone):
        raise InvalidInput(_("The phone number is not valid"), field="reporter_phone")
    reporter_id_number = _clean_text(reporter_id_number, "reporter_id_number", _("The ID number"), 18, required=False).upper()
    if reporter_id_number:
        from jiceng.people.idnumber import IdNumberError, validate_id_number

        try:
            reporter_id_number = validate_id_number(reporter_id_number)
        except IdNumberError as exc:
            raise InvalidInput(str(exc), field="reporter_id_number") from None
    if anonymous:
        if not category.allow_anonymous:
            raise InvalidInput(_("The category “%(name)s” does not accept anonymous reports") % {"name": category.name}, field="anonymous")
        reporter_name = reporter_phone = reporter_id_number = ""
    elif not (reporter_name or (user and user.role == Role.RESIDENT) or channel == Channel.SENSOR):
        raise InvalidInput(_("The reporter's name is required unless the report is anonymous"), field="reporter_name")
    clean = clean_fields(category.field_specs(), fields, "submit")
    return CleanReport(channel, urgency, title, description, address, source_ref, reporter_name, reporter_phone, reporter_id_number,
                       anonymous, clean)


def do_submit(
    *,
    user: User | None,
    category: Category,
    area: Area,
    title: str,
    description: str,
    channel: str = Channel.WEB,
    urgency: str = Urgency.NORMAL,
    grid: Grid | None = None,
    address: str = "",
    fields: dict | None = None,
    anonymous: bool = False,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_id_number: str = "",
    source_ref: str = "",
    idempotency_key: str | None = None,
    idempotency: Idempotency | None = None,
    uploads: list[Upload] | None = None,
    now: datetime | None = None,
) -> tuple[Case, bool]:
    """Raise a matter (点单). Returns ``(case, created)``.

    Checks, whoever calls: the category is an active leaf, the place is a
    village in the user's submit scope (``access.check_submit``), the grid lies
    in it, the reporter rules of the category. With an idempotency key a
    retried submission returns the case created the first time (``created``
    False) instead of a second case; the same key with other content is an
    IdempotencyConflict. ``idempotency_key`` is shorthand for a key in the
    user's own namespace.
    """
    if idempotency is None and idempotency_key:
        idempotency = Idempotency(key=idempotency_key, caller=str(user.pk) if user else PUBLIC_CALLER)
    idempotency = checked_idempotency(idempotency)
    check_category(category)
    _check_place(user, area, grid)
    check_submitter(user, category, channel=channel, reporter_id_number=reporter_id_number)
    r = clean_report(user, category, channel=channel, urgency=urgency, title=title, description=description, address=address,
                     source_ref=source_ref, reporter_name=reporter_name, reporter_phone=reporter_phone,
                     reporter_id_number=reporter_id_number, anonymous=anonymous, fields=fields)
    channel, urgency, title, description, address, source_ref = r.channel, r.urgency, r.title, r.description, r.address, r.source_ref
    reporter_name, reporter_phone, reporter_id_number, clean = r.reporter_name, r.reporter_phone, r.reporter_id_number, r.fields
    uploads = uploads or []
    described = _check_uploads(uploads)
    now = now or timezone.now()
    reporter = user if (user and user.role == Role.RESIDENT and not anonymous) else None
    if reporter and not reporter_name:
        reporter_name, reporter_phone = user.display_name, reporter_phone or user.phone
    fingerprint = _fingerprint(category, area, grid, title, description, address, channel, urgency, clean, anonymous,
                               reporter_name, reporter_phone, reporter_id_number, described)
    if (existing := find_retry(Case, idempotency, fingerprint, user, now, by="created_by", at="created_at")) is not None:
        return existing, False
    key = stored_key(idempotency) if idempotency is not None and idempotency.key else None
    try:
        with transaction.atomic():
            year = now.astimezone(SHANGHAI).year
            (number,) = allocate_number(year, area.code[:6])
            case = Case(
                number=number, category=category, area=area, grid=grid, title=title, description=description, address=address,
                channel=channel, urgency=urgency, fields=clean, anonymous=anonymous, reporter=reporter, reporter_name=reporter_name,
                reporter_phone=reporter_phone, reporter_id_number=reporter_id_number, source_ref=source_ref,
                idempotency_key=key, content_fingerprint=fingerprint, query_code=new_query_code(),
                created_by=user, created_at=now, updated_at=now,
                state=State.SUBMITTED, level=category.start_level, version=1, event_count=0, last_hash=chain.GENESIS,
                deadline=sla.deadline_for(category, urgency, "accept", category.start_level, now),  # time to accept
            )
            case.next_due_at = due.safe_next_due_at(case)  # tick's first look: the due-soon reminder
            case.save(force_insert=True)
            payload = submit_payload(case, described)
            event = _append_event(case, action=Action.SUBMIT, from_state="", to_state=State.SUBMITTED, user=user, at=now, unit_id=None, note="", payload=payload)
            Case.objects.filter(pk=case.pk).update(event_count=1, last_hash=event.hash)
            case.event_count, case.last_hash = 1, event.hash
            if uploads:
                _store_uploads(case, event, uploads, described, now)
    except IntegrityError:
        if key and (existing := find_retry(Case, idempotency, fingerprint, user, now, by="created_by", at="created_at")):
            return existing, False  # a concurrent retry won the race
        raise
    return case, True


QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def new_query_code() -> str:
    """The 查询码 a reporter needs, beside the case number, to follow a case without logging in."""
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _i in range(8))


def _fingerprint(category, area, grid, title, description, address, channel, urgency, fields, anonymous, name, phone, id_number, files) -> str:
    content = [category.code, area.code, grid.code if grid else "", title, description, address, channel, urgency, fields, anonymous,
               name, phone, id_number, [f["sha256"] for f in files]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def submit_payload(case: Case, attachments: list[dict] | None = None) -> dict:
    """The submit event's payload: tier, urgency, time to accept, the submitted fields and a digest of the content.

    Version 2 of the digest covers every content column (chain.CONTENT_COLUMNS);
    ``content_marks`` lets ``jiceng verify`` name a column that was changed.
    """
    values = chain.content_values(case)
    payload = {
        "level": case.level,
        "urgency": case.urgency,
        "deadline": case.deadline.isoformat() if case.deadline else None,
        "fields": case.fields,
        "content": chain.content_digest_v2(values),
        "content_version": chain.VERSION,
        "content_marks": chain.marks(values, chain.CONTENT_COLUMNS),
    }
    if attachments:
        payload["attachments"] = attachments
    return payload


# --- workflow actions -----------------------------------------------------

def _to_deadline(value: Any, field: str) -> datetime | None:
    """Accept a datetime, a date (end of that working day) or ISO text."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)
    if isinstance(value, date):
        return datetime.combine(value, sla.end_of_working_day(), tzinfo=SHANGHAI)
    text = str(value).strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), sla.end_of_working_day(), tzinfo=SHANGHAI)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("“%(value)s” is not a valid date") % {"value": text}, field=field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def _unit_for(case: Case, params: dict, level: str, user: User | None) -> int:
    """The unit the actor chose, checked, or the routing suggestion."""
    raw = params.get("unit_id")
    if raw in (None, ""):
        unit = suggest_unit(case.category, case.area_id, level)
        if unit is None:
            raise InvalidInput(_("No unit is configured for this category at this tier; choose one"), field="unit_id")
        access.check_dispatch_unit(user, case, unit, level)  # a routing rule cannot send it elsewhere either
        return unit.pk
    try:
        unit = Unit.objects.get(pk=int(raw), active=True)
    except (ValueError, TypeError, Unit.DoesNotExist):
        raise InvalidInput(_("The chosen unit does not exist"), field="unit_id") from None
    if unit.level != level:
        raise InvalidInput(
            _("The chosen unit works at the %(unit)s tier, the case is at the %(case)s tier")
            % {"unit": unit.get_level_display(), "case": UnitLevel(level).label},
            field="unit_id",
        )
    access.check_dispatch_unit(user, case, unit, level)
    return unit.pk


def _own_village_unit(case: Case, user: User | None) -> int | None:
    """The unit of the case's village that ``user`` belongs to (自办 stays in the village's own committee)."""
    units = access.dispatchable_units(user, case, UnitLevel.VILLAGE)
    if user is not None and user.role != Role.ADMIN:
        units = units.filter(members=user)
    unit = units.order_by("id").first() or (suggest_unit(case.category, case.area_id, UnitLevel.VILLAGE) if user is None or user.role == Role.ADMIN else None)
    return unit.pk if unit else None  # none: the state machine refuses, naming who may do it


def dispatch_centre_takes(case: Case, chosen: Any, level: str) -> bool:
    """Whether an escalation to ``level`` goes to the dispatch centre there rather than straight to a unit.

    It does when the tier has a dispatch centre serving the case and the person
    escalating chose no unit, or chose the centre's own unit.
    """
    centre_units = dispatch_centre_units(case, level)
    if centre_units is None:
        return False
    if chosen in (None, ""):
        return True
    try:
        return int(chosen) in centre_units
    except (TypeError, ValueError):
        return False


def _prepare(case: Case, action: str, params: dict, user: User | None, now: datetime) -> dict:
    """Fill defaults (SLA deadline, routed unit) and check references."""
    params = dict(params)
    # worked out below from the SLA rules and the routing, never taken from the request
    params.pop("via_centre", None)
    params.pop("reply_by", None)
    if action in (Action.RESUME, Action.ESCALATE):
        params.pop("deadline", None)
    if action == Action.SELF_HANDLE:
        params.pop("unit_id", None)
    if action in (Action.ACCEPT, Action.SELF_HANDLE):
        params["deadline"] = _to_deadline(params.get("deadline"), "deadline") or sla.deadline_for(
            case.category, case.urgency, "resolve", case.level, now
        )
    if action == Action.SELF_HANDLE and case.level == UnitLevel.VILLAGE:
        params["unit_id"] = _own_village_unit(case, user)
    elif action == Action.SUPERVISE:
        params["reply_by"] = sla.reply_deadline(now)
    elif action == Action.RESUME and case.state == State.SUSPENDED:
        params["deadline"] = sla.resumed_deadline(case.deadline, case.suspended_at, now)
    elif action == Action.REQUEST_EXTENSION:
        params["deadline"] = _to_deadline(params.get("deadline"), "deadline")
    elif action == Action.DISPATCH and case.state == State.ACCEPTED:
        params["unit_id"] = _unit_for(case, params, case.level, user)
    elif action == Action.ESCALATE and case.level in NEXT_LEVEL and case.state in workflow.RULES[Action.ESCALATE].sources:
        nxt = NEXT_LEVEL[UnitLevel(case.level)]
        if dispatch_centre_takes(case, params.get("unit_id"), nxt):
            params.update(via_centre=True, unit_id=None)
        else:
            params["unit_id"] = _unit_for(case, params, nxt, user)
        # the clock starts again with the limit of the next tier
        params["deadline"] = sla.deadline_for(case.category, case.urgency, "resolve", nxt, now)
    elif action == Action.RESOLVE and case.state == State.HANDLING:
        merged = {**case.fields, **(params.get("fields") or {})}
        clean_fields(case.category.field_specs(), merged, "resolve")
        params["fields"] = clean_fields(case.category.field_specs(), params.get("fields") or {}, "none")
    elif action == Action.MERGE and params.get("into"):
        into = str(params["into"]).strip()
        target = access.visible_cases(user).filter(number=into).first() if user else None
        if target is None:
            raise InvalidInput(_("Case %(number)s does not exist or is not visible to you") % {"number": into}, field="into")
        if target.pk == case.pk:
            raise InvalidInput(_("A case cannot be merged into itself"), field="into")
        if target.state == State.MERGED:
            raise InvalidInput(_("Case %(number)s was itself merged; merge into its original") % {"number": into}, field="into")
        params["into"] = target.number
    return params


def do_case_action(
    case: Case | str | int,
    action: str,
    user: User | None,
    params: dict | None = None,
    *,
    expected_version: int | None = None,
    uploads: list[Upload] | None = None,
    now: datetime | None = None,
    actor: workflow.Actor | None = None,
) -> Case:
    """Perform one workflow action on a case as ``user``.

    ``expected_version`` is the version the user saw; if the case changed
    since, Conflict is raised and nothing is written. ``actor`` overrides the
    actor derived from ``user`` (used by system jobs).
    """
    now = now or timezone.now()
    params = dict(params or {})
    uploads = uploads or []
    try:
        with transaction.atomic():
            case = _load(case)
            if expected_version is not None and case.version != expected_version:
                raise Conflict(
                    _("Case %(number)s was changed by someone else (version %(seen)s, now %(now)s); reload and try again")
                    % {"number": case.number, "seen": expected_version, "now": case.version}
                )
            described = _check_uploads(uploads)
            if described:
                params["attachments"] = described
            params = _prepare(case, action, params, user, now)
            who = actor or access.actor_for(user, case)
            before = case.snapshot()
            to_state, payload, note = workflow.plan(before, action, params, who, now)
            after = workflow.apply(before, action, to_state, payload, note)
            event = _append_event(
                case, action=action, from_state=before.state or "", to_state=to_state, user=user, at=now,
                unit_id=after.unit_id, note=note, payload=payload,
            )
            columns = case.snapshot_columns(after)  # the resolve step's fields merge is part of the snapshot
            if _clock_changed(before, after):
                columns["next_due_at"] = _next_due(case, columns)
            updated = Case.objects.filter(pk=case.pk, version=case.version).update(
                **columns, version=case.version + 1, event_count=event.seq, last_hash=event.hash, updated_at=now
            )
            if not updated:
                raise Conflict(_("Case %(number)s was changed by someone else at the same time; reload and try again") % {"number": case.number})
            if uploads:
                _store_uploads(case, event, uploads, described, now)
    except IntegrityError as exc:
        raise Conflict(_("The case was changed by someone else at the same time; reload and try again")) from exc
    case.refresh_from_db()
    return case


# What decides the instants of a case's deadline consequences (cases/due.py).
CLOCK_FIELDS = ("state", "deadline", "reply_by", "level", "urgency")


def _clock_changed(before: workflow.Snapshot, after: workflow.Snapshot) -> bool:
    return any(getattr(before, f, None) != getattr(after, f, None) for f in CLOCK_FIELDS)


def _next_due(case: Case, columns: dict) -> datetime | None:
    """next_due_at for the case as the new columns leave it (tick drops what it already recorded)."""
    probe = Case(category=case.category, **{f: columns.get(f, getattr(case, f)) for f in CLOCK_FIELDS})
    return due.safe_next_due_at(probe)


def _load(case: Case | str | int) -> Case:
    qs = Case.objects.select_related("category", "category__parent")
    if isinstance(case, Case):
        return qs.get(pk=case.pk)
    if isinstance(case, int):
        return qs.get(pk=case)
    return qs.get(number=case)
