"""Who may see and do what with cases: the one access module.

Every adapter — web pages, the REST API, Open311, alerts, triage, insurance,
management commands — asks these functions and decides nothing itself:

- :func:`visible_cases` / :func:`access_case`: what a user may read (one
  answer, :class:`NotFound`, for "does not exist" and "not yours");
- :func:`actor_for` and :func:`allowed_actions`: who the user is to the state
  machine and what they may do now, with each action's parameters;
- :func:`check_submit`: where a user may raise a matter;
- :func:`dispatchable_units`: which units a case may be dispatched or
  escalated to;
- :func:`person_view`: the reporter's data, masked unless the viewer needs it
  (the need is checked and the access logged here, once);
- :func:`public_cases` / :func:`public_view`: the anonymous public's scope
  (public categories only, public fields only); :func:`board_cases` /
  :func:`board_view`: the public board (公开栏), with the result masked;
- :func:`track_case`: following one case by number and 查询码 (or the
  phone's last four digits), with a per-case limit on guesses.

Role questions ("is this person staff?") go to ``accounts.capabilities``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, can, require
from jiceng.accounts.models import PersonalDataAccess, Role, User
from jiceng.areas import codes
from jiceng.areas.codes import Level
from jiceng.areas.models import NEXT_LEVEL, Area, AreaLevel, Unit, UnitLevel, subtree_q, subtrees_q
from jiceng.people.masking import mask_address, mask_free_text, mask_free_value, person_fields
from jiceng.sealed import Unreadable

from . import scope, workflow
from .errors import InvalidInput, NotFound, NotPermitted
from .models import Case, CaseEvent
from .states import Action, Rating, State

# Roles that read every case in their area subtree; an integration key scoped
# to an area reads that area (it never acts on the workflow).
AREA_SCOPED_ROLES = frozenset({Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.DISPATCH_CENTRE, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN})
AREA_READ_ROLES = AREA_SCOPED_ROLES | {Role.INTEGRATION}
# Roles that read the cases of the units they belong to.
UNIT_ROLES = frozenset({Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.COUNTY_HANDLER, Role.DISPATCH_CENTRE, Role.GRID_WORKER})


# --- scope ----------------------------------------------------------------------

def is_unrestricted(user: User) -> bool:
    """An administrator without an area: the whole installation."""
    return user.role == Role.ADMIN and user.scope_area_id is None


def level_rank(user: User) -> int:
    """The tier a user works at: 1 village, 2 township, 3 county or above, 0 none."""
    if user.role == Role.ADMIN:
        return 3
    if user.scope_area_id is None:
        return 0
    level = user.scope_area.level_enum
    if level is Level.VILLAGE:
        return 1
    if level is Level.TOWNSHIP:
        return 2
    return 3


def _area_prefix(user: User) -> str | None:
    return user.scope_area.prefix if user.scope_area_id else None


def in_area_scope(user: User, area_code: str) -> bool:
    """Whether ``area_code`` lies in the area scope in which ``user`` may act."""
    if is_unrestricted(user):
        return True
    prefix = _area_prefix(user)
    return bool(prefix and user.role in AREA_SCOPED_ROLES and area_code.startswith(prefix))


def visible_cases_q(user: User | None) -> Q | None:
    """A filter for the cases ``user`` may read; None means all of them.

    Rules: area staff read their area, unit members the cases any of their
    units was ever involved in, grid workers their grids, everyone what they
    filed or reported. Written so that each plan starts from the user's own
    share (docs/scaling.md): an area reader's filter is the area's code range
    (the index the case table's own filters combine with) plus the short
    list of cases they reach outside it by unit or as filer; everyone else
    reads one semi-join on the scope table (cases/scope.py).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if is_unrestricted(user):
        return None
    keys = [scope.person_key(user.pk)]
    if user.role in UNIT_ROLES:
        keys += [scope.unit_key(u) for u in user.units.values_list("id", flat=True)]
    if user.role == Role.GRID_WORKER:
        keys += [scope.grid_key(g) for g in user.grids.values_list("id", flat=True)]
    prefix = _area_prefix(user)
    if user.role in AREA_READ_ROLES and prefix:
        return scope.area_and_beyond(prefix, keys)
    return scope.readable_under(keys)


def visible_cases(user: User | None) -> QuerySet[Case]:
    """All cases ``user`` may read. The one entry point for case lists."""
    q = visible_cases_q(user)
    return Case.objects.all() if q is None else Case.objects.filter(q)


def not_found(number: str) -> NotFound:
    """The one answer for a case that does not exist or that the user may not see."""
    return NotFound(_("Case %(number)s does not exist or is not visible to you") % {"number": number}, field="number")


def access_case(user: User | None, number: str) -> Case:
    """The case ``number`` if ``user`` may read it; NotFound otherwise (existence is not revealed)."""
    number = str(number or "").strip()
    case = (
        visible_cases(user).select_related("category", "category__parent", "area", "unit", "grid", "owner").filter(number=number).first()
        if number else None
    )
    if case is None:
        raise not_found(number)
    return case


# --- the state machine's view of a user -------------------------------------------

def actor_for(user: User | None, case: Case | None = None, area_code: str | None = None) -> workflow.Actor:
    """Describe ``user`` to the state machine for a given case (or area)."""
    if user is None or not user.is_authenticated:
        return workflow.Actor(user_id=None, role=Role.RESIDENT)
    code = case.area_id if case is not None else area_code
    return workflow.Actor(
        user_id=user.pk,
        role=user.role,
        level_rank=level_rank(user),
        unit_ids=frozenset(user.units.values_list("id", flat=True)),
        in_scope=bool(code) and in_area_scope(user, code),
        is_reporter=case is not None and case.reporter_id == user.pk,
    )


@dataclass
class ActionParam:
    """One input of an allowed action, with its choices worked out for this case."""

    name: str
    kind: str
    label: Any
    choices: list[tuple[Any, Any]] = field(default_factory=list)
    suggested: Any = None
    specs: list[dict] = field(default_factory=list)  # resolve_fields: the category's result fields


@dataclass
class AllowedAction:
    action: str
    label: Any
    params: list[ActionParam]


def allowed_action_names(user: User | None, case: Case) -> list[str]:
    return workflow.allowed_actions(case.snapshot(), actor_for(user, case))


def allowed_actions(user: User | None, case: Case) -> list[AllowedAction]:
    """The actions ``user`` may take on ``case`` now, each with its parameters and their choices."""
    from .routing import dispatch_centre_units, suggest_unit

    out = []
    for action in allowed_action_names(user, case):
        params = []
        for p in workflow.PARAMS.get(action, ()):
            param = ActionParam(p.name, p.kind, p.label)
            if p.kind in ("unit", "next_unit"):
                level = case.level if p.kind == "unit" else NEXT_LEVEL.get(UnitLevel(case.level))
                if level is None:
                    continue
                param.choices = [(u.pk, u.name) for u in dispatchable_units(user, case, level)]
                suggested = suggest_unit(case.category, case.area_id, level)
                if p.kind == "next_unit" and dispatch_centre_units(case, level) is not None:
                    suggested = None  # the tier's dispatch centre takes it unless a department is chosen
                param.suggested = suggested.pk if suggested else None
            elif p.kind == "rating":
                param.choices = list(Rating.choices)
            elif p.kind == "decision":
                param.choices = [("reopen", _("Reopen for handling")), ("uphold", _("Uphold the result"))]
            elif p.kind == "resolve_fields":
                param.specs = [s for s in case.category.field_specs() if s.get("stage") == "resolve"]
                if not param.specs:
                    continue
            params.append(param)
        out.append(AllowedAction(action, Action(action).label, params))
    return out


# --- submitting -------------------------------------------------------------------

def submit_region_q(user: User | None, field_name: str = "code") -> Q | None:
    """Where ``user`` may raise a matter, as a filter on area codes; None: anywhere.

    Residents, the anonymous public and unscoped integration keys may report
    anywhere; staff and scoped keys only within their area (or, without one,
    the areas their units serve).
    """
    if user is None or user.role in (Role.RESIDENT,) or is_unrestricted(user):
        return None
    if user.scope_area_id:
        return subtree_q(field_name, user.scope_area.prefix)
    areas = list(Area.objects.filter(units__members=user).distinct())
    if areas:
        return subtrees_q(field_name, [area.prefix for area in areas])
    return None if user.role == Role.INTEGRATION else Q(pk__in=[])


def can_submit_in(user: User | None, area: Area) -> bool:
    if user is not None and not can(user, Capability.SUBMIT):
        return False
    q = submit_region_q(user)
    return q is None or Area.objects.filter(q, code=area.code).exists()


def check_submit(user: User | None, area: Area) -> None:
    """Raise NotPermitted unless ``user`` may raise a matter in village ``area``."""
    if user is not None:
        require(user, Capability.SUBMIT)
    if not can_submit_in(user, area):
        raise NotPermitted(
            _("You may file cases only in your own area; %(area)s is outside it.") % {"area": area.name}, field="area"
        )


def submit_villages(user: User | None) -> QuerySet[Area]:
    """The villages and communities ``user`` may file cases in (for forms)."""
    qs = Area.objects.filter(level=AreaLevel.VILLAGE)
    q = submit_region_q(user)
    return qs if q is None else qs.filter(q)


# --- dispatching ------------------------------------------------------------------

def serving_area_codes(case: Case, level: str) -> list[str]:
    """The areas whose units serve ``case`` at ``level``: its village, its township or its county."""
    code = case.area_id
    return {
        UnitLevel.VILLAGE: [code],
        UnitLevel.TOWNSHIP: [code[:9] + "000"],
        UnitLevel.COUNTY: [code[:6] + "000000"],
    }[UnitLevel(level)]


def dispatchable_units(user: User | None, case: Case, level: str) -> QuerySet[Unit]:
    """The active units at ``level`` that serve the case's place: the only ones it may go to."""
    return Unit.objects.filter(level=level, active=True, area_id__in=serving_area_codes(case, level)).order_by("name")


def check_dispatch_unit(user: User | None, case: Case, unit: Unit, level: str) -> None:
    if not dispatchable_units(user, case, level).filter(pk=unit.pk).exists():
        raise InvalidInput(
            _("The unit “%(unit)s” does not serve %(area)s at this tier; choose one of the units offered")
            % {"unit": unit.name, "area": case.area.name},
            field="unit_id",
        )


# --- personal data ----------------------------------------------------------------

def needs_personal_data(user: User | None, case: Case) -> bool:
    """Whether ``user`` has a need to see the reporter's name, phone and ID.

    The reporter themself, and staff who accept, handle or supervise the case;
    never auditors, integration keys or the public.
    """
    if user is None or not user.is_authenticated:
        return False
    if case.reporter_id == user.pk:
        return True
    if not can(user, Capability.SEE_PERSONAL_DATA):
        return False
    actor, s = actor_for(user, case), case.snapshot()
    return workflow.dispatcher(actor, s) or workflow.handler(actor, s) or workflow.leader(actor, s)


def log_personal_data_access(user: User, case: Case, purpose: str = "view") -> None:
    """Record that ``user`` viewed the unmasked personal data of ``case``."""
    PersonalDataAccess.objects.create(user=user, case=case, purpose=purpose[:64])


def person_view(user: User | None, case: Case, *, reveal: bool = False, purpose: str = "view") -> dict:
    """The reporter's data as ``user`` may see it.

    The reporter sees their own data. Others see it masked; with ``reveal``
    staff who need it get it unmasked and the access is logged; anyone else
    asking to reveal gets NotPermitted. ``can_reveal`` tells a page whether to
    offer the button.
    """
    own = user is not None and user.is_authenticated and case.reporter_id == user.pk
    need = own or needs_personal_data(user, case)
    if reveal and not need:
        raise NotPermitted(_("You have no need to see this reporter's personal data"))
    unmasked = own or reveal
    if reveal:
        log_personal_data_access(user, case, purpose)
    data = person_fields(case.reporter_name, case.reporter_phone, case.reporter_id_number, case.address, reveal=unmasked)
    for key, value in (("phone", case.reporter_phone), ("id_number", case.reporter_id_number)):
        if isinstance(value, Unreadable):  # a value the field key cannot decrypt shows as such, not as a masked marker
            data[key] = str(value)
    data["can_reveal"] = need and not unmasked
    return data


def people_named(case: Case) -> list[str]:
    """The people a case is about: its reporter and the values of fields marked ``personal`` (e.g. a dispute's 当事人)."""
    names = [case.reporter_name]
    for spec in case.category.field_specs():
        if spec.get("personal") and spec["name"] in (case.fields or {}):
            value = case.fields[spec["name"]]
            names.extend(value if isinstance(value, list) else str(value).replace("，", ",").split(","))
    return [str(n).strip() for n in names if str(n).strip()]


@dataclass
class CaseText:
    """A case's free text as a viewer may read it: masked (phones, ID numbers, the people named) without a need."""

    masked: bool
    names: list[str]

    def __call__(self, value: Any) -> Any:
        return mask_free_value(value, self.names) if self.masked else value


def case_text(user: User | None, case: Case) -> CaseText:
    """How ``user`` reads the description, plan, result, fields and notes of ``case``.

    Staff who handle or supervise the case and the reporter read them as
    written; everyone else who may read the case (auditors, keys, other
    readers in scope) reads them with phone numbers, ID numbers and the names
    of the people involved masked. Unmasking goes through :func:`person_view`
    with ``reveal`` (logged).
    """
    return CaseText(masked=not needs_personal_data(user, case), names=people_named(case))


# --- the anonymous public -----------------------------------------------------------

def public_cases() -> QuerySet[Case]:
    """Cases anyone may see: those of public categories (never 信访, 防返贫, family disputes …)."""
    return Case.objects.filter(category__public=True)


# Open311 "closed": a case is closed for a 311 client once it is resolved.
PUBLIC_OPEN_STATES = frozenset({State.SUBMITTED, State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.SUSPENDED, State.DISPUTED})


# The last four digits of the reporter's phone are a weaker secret than the 查询码 (10 000 values):
# after this many wrong guesses at one case, from any address, only the 查询码 opens it for the window.
PHONE_TAIL_FAILURE_LIMIT = 10
PHONE_TAIL_WINDOW_SECONDS = 3600


def is_phone_tail(secret: str) -> bool:
    """Four ASCII digits: the phone's last four, never a 查询码 (8 letters and digits)."""
    return len(secret) == 4 and secret.isascii() and secret.isdigit()


def _phone_tail_matches(case: Case, secret: str) -> bool:
    """Whether ``secret`` is the last four digits of the reporter's phone; wrong guesses are counted per case."""
    from jiceng.throttle import count_failure, failures_exceeded

    if not is_phone_tail(secret):
        return False
    key = f"track-phone-tail:{case.number}"
    if failures_exceeded(key, PHONE_TAIL_FAILURE_LIMIT):
        return False
    phone = case.reporter_phone
    digits = "".join(ch for ch in phone if ch.isdigit()) if isinstance(phone, str) and not isinstance(phone, Unreadable) else ""
    if len(digits) >= 7 and secrets.compare_digest(digits[-4:], secret):
        return True
    count_failure(key, PHONE_TAIL_WINDOW_SECONDS)
    return False


def track_case(number: str, query_code: str = "") -> Case:
    """A case anyone may follow: one of a public category, or any case with its 查询码 or the reporter's phone's last four digits.

    One answer (NotFound) for a wrong number, a wrong code and a case that is
    not public, so neither numbers nor codes can be probed. Wrong phone digits
    are counted per case (PHONE_TAIL_FAILURE_LIMIT per hour, whichever address
    they come from); adapters also limit look-ups per address.
    """
    number, secret = str(number or "").strip(), str(query_code or "").strip().upper()
    case = Case.objects.select_related("category", "area", "unit").filter(number=number).first() if number else None
    if case is None:
        raise NotFound(_("No case has the number %(number)s, or the query code does not match") % {"number": number}, field="number")
    # compare_digest refuses non-ASCII text (TypeError, a 500 before): such a code cannot match anyway
    code_ok = bool(case.query_code) and secret.isascii() and secrets.compare_digest(case.query_code, secret)
    if not (case.category.public or code_ok or _phone_tail_matches(case, secret)):
        raise NotFound(_("No case has the number %(number)s, or the query code does not match") % {"number": number}, field="number")
    return case


def public_events(case: Case) -> list[dict]:
    """A case's history as the public sees it: what happened when and at which unit; no notes, no people."""
    return [
        {"action": e.action, "action_label": str(Action(e.action).label) if e.action in Action.values else e.action,
         "to_state": e.to_state, "unit": e.unit.name if e.unit_id else None, "at": e.at}
        for e in case.events.select_related("unit").order_by("seq").only("action", "at", "to_state", "unit__name")
    ]


def public_view(case: Case) -> dict:
    """The public fields of a case: progress and place, never people and never free text."""
    return {
        "number": case.number,
        "category": case.category.name,
        "category_code": case.category.code,
        "area": case.area.name,
        "area_code": case.area_id,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "is_open": case.state in PUBLIC_OPEN_STATES,
        "unit": case.unit.name if case.unit_id else None,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "deadline": case.deadline,
    }


# --- lists: search, filter choices, exports -------------------------------------------

def may_search_by_phone(user: User | None) -> bool:
    """Whether a phone number typed into the case search may find the reporter's phone (staff with a need in their scope)."""
    return user is not None and user.is_authenticated and can(user, Capability.SEE_PERSONAL_DATA)


def filter_areas(user: User | None) -> QuerySet[Area]:
    """Townships and villages a user may narrow a case list to: those of their scope (all for the unrestricted)."""
    areas = Area.objects.filter(level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]).select_related("parent").order_by("code")
    if user is None or not user.is_authenticated:
        return areas.none()
    if is_unrestricted(user) or user.scope_area_id is None:
        return areas if is_unrestricted(user) else areas.none()
    return areas.filter(subtree_q("code", user.scope_area.prefix))


def filter_units(user: User | None) -> QuerySet[Unit]:
    """Units a user may narrow a case list to: those serving their area, its subtree and the tiers above it."""
    units = Unit.objects.filter(active=True).order_by("level", "name")
    if user is None or not user.is_authenticated:
        return units.none()
    if is_unrestricted(user) or user.scope_area_id is None:
        return units if is_unrestricted(user) else units.filter(pk__in=user.units.values("pk"))
    area = user.scope_area
    above = [codes.ancestor_code(area.code, lvl) for lvl in codes.LEVEL_ORDER if lvl.value < area.level_enum.value]  # no query
    return units.filter(subtree_q("area_id", area.prefix) | Q(area_id__in=above + [area.code]))


def export_text(case: Case) -> CaseText:
    """Free text leaving the system in a spreadsheet: phones, ID numbers and the people named are always masked."""
    return CaseText(masked=True, names=people_named(case))

# --- the public board (公开栏) ------------------------------------------------------

# A refused report is not a matter being handled, and a merged duplicate shows under its original.
BOARD_HIDDEN_STATES = frozenset({State.REFUSED, State.MERGED})
# The board shows a result once the matter is resolved (and not while a dispute about it is open).
BOARD_RESULT_STATES = frozenset({State.RESOLVED, State.RATED, State.CLOSED})


def board_cases() -> QuerySet[Case]:
    """The cases on the public board: those of public categories, except refused reports and merged duplicates."""
    return public_cases().exclude(state__in=BOARD_HIDDEN_STATES)


def public_text(case: Case, value: str) -> str:
    """Free text as anyone may read it on the board: phone and ID numbers, the people named and the reporter's exact address masked."""
    text = mask_free_text(value or "", people_named(case))
    address = (case.address or "").strip()
    if len(address) >= 4:  # a short fragment ("3组") would star ordinary words
        text = text.replace(address, mask_address(address))
    return text


def board_view(case: Case, progress: dict | None = None) -> dict:
    """A case as the public board shows it: :func:`public_view`, its latest step, and — once resolved — the result, masked, and the rating.

    Never the reporter, the description, the address or notes; the result is
    written by the handling unit and is what the board is for (what was done).
    """
    data = public_view(case)
    done = case.state in BOARD_RESULT_STATES
    data.update(
        progress=progress,
        result=public_text(case, case.result) if done else "",
        rating_label=str(Rating(case.rating).label) if done and case.rating in Rating.values else "",
        resolved_level_label=str(UnitLevel(case.resolved_level).label) if done and case.resolved_level else "",
    )
    return data


def latest_public_events(case_ids: list[int]) -> dict[int, dict]:
    """The latest step of each case (what, when, which unit), as :func:`public_events` shows steps; one query."""
    latest: dict[int, dict] = {}
    events = (CaseEvent.objects.filter(case_id__in=case_ids).select_related("unit").order_by("case_id", "-seq")
              .only("case_id", "seq", "action", "at", "to_state", "unit__name"))
    for e in events:
        if e.case_id not in latest:
            latest[e.case_id] = {"action": e.action, "action_label": str(Action(e.action).label) if e.action in Action.values else e.action,
                                 "to_state": e.to_state, "unit": e.unit.name if e.unit_id else None, "at": e.at}
    return latest
