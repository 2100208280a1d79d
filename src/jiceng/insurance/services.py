"""Django glue of the medical protection engine: who may use it, which policy,
and the risk link that opens 因病返贫风险 monitoring cases.

Views, the API and the management command call these; the engine modules
stay free of Django.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, can
from jiceng.accounts.models import Role, User
from jiceng.cases.access import can_submit_in, in_area_scope, visible_cases
from jiceng.areas.models import Area, AreaLevel
from jiceng.cases.actions import Idempotency, do_submit, stored_key  # stored_key: to find cases opened before RiskCaseLink
from jiceng.cases.errors import InvalidInput, NotPermitted
from jiceng.cases.models import Case, Category
from jiceng.cases.routing import suggest_unit
from jiceng.cases.states import Channel
from jiceng.people.idnumber import validate_id_number

from .money import fmt_pct, fmt_yuan
from .models import OfficePolicy, RiskCaseLink
from .policy import Policy, PolicyError, load_policy, shipped_policies
from .risk import ABSOLUTE, INCOME_SHARE, RiskFinding
from .selection import OFFICE, PolicyEntry

logger = logging.getLogger(__name__)

#: The case category of a risk case (shipped in cases/defaults/case_types.toml).
RISK_CATEGORY = "fanpin-illness"
#: The system account that opens risk cases; idempotency keys are scoped to it,
#: so a person-year gets one case whoever runs the calculation and however often.
SYSTEM_USERNAME = "system-medical-protection"
#: County offices whose staff work on enrollment for the whole county, so they
#: need the names and ID numbers of the roster check.
ROSTER_UNIT_KINDS = frozenset({"medical_insurance", "civil_affairs", "rural_revitalization"})


# --------------------------------------------------------------------------
# Access


def is_staff(user: Any) -> bool:
    """May use the medical protection tools (the role → capability table decides)."""
    return bool(getattr(user, "is_active", False)) and can(user, Capability.INSURANCE_TOOLS)


def require_staff(user: Any) -> None:
    """Raise :class:`NotPermitted` unless ``user`` is staff."""
    if not is_staff(user):
        raise NotPermitted(_("The medical protection tools are for staff only."))


def require_case_opener(user: Any) -> None:
    """Raise unless ``user`` may start the risk link (staff, not auditors)."""
    require_staff(user)
    if not can(user, Capability.OPEN_RISK_CASES):
        raise NotPermitted(_("Auditors read cases but do not open them."))


def needs_roster_data(user: Any, village_code: str) -> bool:
    """Whether ``user`` needs full names and ID numbers of ``village_code``'s people.

    Staff whose area scope covers the village, and staff of the county offices
    that organise enrollment (医保、民政、乡村振兴); never auditors.
    """
    if not is_staff(user) or user.role == Role.AUDITOR:
        return False
    if in_area_scope(user, village_code):
        return True
    return user.units.filter(kind_id__in=ROSTER_UNIT_KINDS, area__code__startswith=village_code[:6]).exists()


# --------------------------------------------------------------------------
# Policies: the shipped files and an office's own, through one catalogue

#: The choice "pick the policy by each bill's date and the person's village".
AUTO = "auto"


def policy_catalog(include_superseded: bool = False) -> list[PolicyEntry]:
    """Every policy that can be used: shipped files, then the office's versions.

    Superseded office versions are included only on request (they stay
    readable, they are never chosen).
    """
    entries = list(_shipped_entries())
    rows = OfficePolicy.objects.select_related("uploaded_by").order_by("region", "effective_from", "version")
    if not include_superseded:
        rows = rows.filter(superseded_at__isnull=True)
    for row in rows:
        try:
            entries.append(office_entry(row))
        except PolicyError as exc:
            # Stored before a stricter check: leave it out rather than break every page.
            logger.warning("stored policy %s no longer validates: %s", row.policy_id, exc)
    return entries


@functools.lru_cache(maxsize=1)
def _shipped_entries() -> tuple[PolicyEntry, ...]:
    # The shipped files do not change while the process runs; parse them once.
    return tuple(PolicyEntry(pid, load_policy(path)) for pid, path in shipped_policies().items())


@functools.lru_cache(maxsize=128)
def _parsed(sha256: str, text: str) -> Policy:
    # A stored version never changes (no edits), so its digest identifies the parse.
    return load_policy(text.encode("utf-8"))


def office_entry(row: OfficePolicy) -> PolicyEntry:
    """An office's stored policy as a catalogue entry (validated again on load)."""
    who = row.uploaded_by.display_name if row.uploaded_by_id else row.uploaded_via
    return PolicyEntry(row.policy_id, _parsed(row.sha256, row.toml), OFFICE, row.version, who,
                       row.uploaded_at, row.superseded_at is not None)


def find_policy_entry(policy_id: str) -> PolicyEntry:
    """A policy by id (``example-hunan-2026`` or ``office-7``); raises :class:`InvalidInput`."""
    if policy_id.startswith("office-") and policy_id[7:].isdigit():
        row = OfficePolicy.objects.filter(pk=int(policy_id[7:])).first()
        if row is not None:
            try:
                return office_entry(row)
            except PolicyError as exc:
                raise InvalidInput(str(exc), field="policy_id") from None
    for entry in _shipped_entries():
        if entry.id == policy_id:
            return entry
    known = "、".join(e.id for e in policy_catalog())
    raise InvalidInput(_("Unknown policy “%(id)s” (known: %(known)s).") % {"id": policy_id, "known": known}, field="policy_id")


def resolve_policy(policy_id: str | None = None, policy_toml: str | bytes | None = None) -> Policy:
    """One policy: from TOML text, or by id; raises :class:`InvalidInput`."""
    if policy_toml:
        return parse_policy_text(policy_toml, field="policy_toml")
    if not policy_id or policy_id == AUTO:
        raise InvalidInput(_("Choose a policy."), field="policy_id")
    return find_policy_entry(policy_id).policy


def policies_for_calc(policy_id: str | None = None, policy_toml: str | bytes | None = None) -> Policy | list[PolicyEntry]:
    """What :func:`~.calc.run_calc` computes under: one policy when one is named or
    uploaded, else the catalogue (each bill's policy chosen by date and village)."""
    if policy_toml or (policy_id and policy_id != AUTO):
        return resolve_policy(policy_id, policy_toml)
    return policy_catalog()


def parse_policy_text(text: str | bytes, *, field: str) -> Policy:
    """Validate a policy file's text; problems become :class:`InvalidInput` on ``field``."""
    try:
        return load_policy(text if isinstance(text, bytes) else text.encode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput(_("The policy file must be UTF-8 text."), field=field) from None
    except PolicyError as exc:
        # The message starts with the key path (e.g. "basic.levels.1.ratio：…"), as documented.
        raise InvalidInput(str(exc), field=field) from None


def used_policy(used: PolicyEntry | Policy) -> dict[str, Any]:
    """A policy a run used, as the pages and the API describe it."""
    entry = used if isinstance(used, PolicyEntry) else PolicyEntry("", used, "uploaded")
    policy = entry.policy
    return {"id": entry.id, "name": policy.name, "years": policy.years, "region": policy.region,
            "illustrative": bool(policy.illustrative_keys()), "label": entry.label if entry.id else policy.name}


def policy_choices() -> list[tuple[str, str]]:
    """(id, label with years) of the usable policies, newest period first, for forms."""
    entries = sorted(policy_catalog(), key=lambda e: (e.policy.effective_from, e.policy.region, e.origin == OFFICE), reverse=True)
    return [(e.id, e.label) for e in entries]


def do_add_policy(
    text: str | bytes,
    *,
    user: User | None,
    via: str,
    supersede: bool = False,
    note: str = "",
    now: datetime | None = None,
) -> OfficePolicy:
    """Store an office's policy file as a new version, validated first.

    When an active office policy of the same region overlaps the period, the
    upload is refused unless ``supersede`` is given; then the older versions are
    marked superseded (by whom and when, still readable) and the new one gets
    the next version number. The same file twice is refused. ``user`` None is
    the command line.
    """
    if user is not None and not (user.is_superuser or user.role == Role.ADMIN):
        raise NotPermitted(_("Only administrators add policies."))
    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    policy = parse_policy_text(raw, field="policy_file")
    body = raw.decode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    now = now or timezone.now()
    with transaction.atomic():
        same_region = OfficePolicy.objects.select_for_update().filter(region=policy.region)
        overlapping = [row for row in same_region
                       if row.effective_from <= policy.effective_to and policy.effective_from <= row.effective_to]
        active = [row for row in overlapping if row.superseded_at is None]
        for row in active:
            if row.sha256 == digest:
                raise InvalidInput(_("This file is already stored as %(policy)s; nothing changed.") % {"policy": row},
                                   field="policy_file")
        if active and not supersede:
            existing = "；".join(_("%(policy)s covering %(start)s to %(end)s, uploaded by %(who)s on %(when)s") % {
                "policy": row, "start": row.effective_from.isoformat(), "end": row.effective_to.isoformat(),
                "who": row.uploaded_by.display_name if row.uploaded_by_id else row.uploaded_via,
                "when": timezone.localtime(row.uploaded_at).strftime("%Y-%m-%d %H:%M")} for row in active)
            raise InvalidInput(_("A policy for this region and period already exists: %(existing)s. To replace it, "
                                 "tick “supersede” (admin) or add --supersede (command line); the old version stays readable.")
                               % {"existing": existing}, field="supersede")
        version = max((row.version for row in overlapping), default=0) + 1
        row = OfficePolicy.objects.create(
            region=policy.region, name=policy.name[:200], effective_from=policy.effective_from,
            effective_to=policy.effective_to, version=version, toml=body, sha256=digest, note=note[:200],
            uploaded_by=user, uploaded_via=via[:64], uploaded_at=now,
        )
        OfficePolicy.objects.filter(pk__in=[r.pk for r in active]).update(superseded_by=row, superseded_at=now)
    return row


# --------------------------------------------------------------------------
# Risk link


@dataclass
class RiskOutcome:
    """What happened to one finding: a case opened now, one that existed, or why not.

    ``village`` and ``unit`` say where the case went: the village whose staff
    accept it and the unit the routing sends it to (the village committee).
    """

    finding: RiskFinding
    case: Case | None = None
    created: bool = False
    problem: str = ""
    village: str = ""
    unit: str = ""
    triggered_by_id: int | None = None

    def case_shown_to(self, viewer: Any) -> bool:
        """The number and state go to the command line, to whoever triggered the
        case, and to anyone who may see it; others learn only that it exists."""
        if self.case is None:
            return False
        if viewer is None or (self.triggered_by_id is not None and viewer.pk == self.triggered_by_id):
            return True
        return visible_cases(viewer).filter(pk=self.case.pk).exists()

    def message(self, viewer: Any = None) -> str:
        """The one Chinese sentence every adapter shows for this outcome."""
        f = self.finding
        head = _("%(year)s: self-pay %(amount)s yuan") % {"year": f.year, "amount": fmt_yuan(f.self_pay)}
        if self.problem:
            return _("%(head)s is above the risk threshold, but no case was opened: %(problem)s") % {"head": head, "problem": self.problem}
        where = _("%(village)s (%(code)s), %(unit)s") % {"village": self.village, "code": f.area, "unit": self.unit or _("village staff")}
        if self.case_shown_to(viewer):
            number, state = self.case.number, _state_label(self.case)
            if self.created:
                return _("%(head)s is above the risk threshold: opened illness poverty risk case %(number)s (%(state)s), "
                         "sent to %(where)s to accept and follow up.") % {"head": head, "number": number, "state": state, "where": where}
            return _("%(head)s: the illness poverty risk case %(number)s (%(state)s) already exists, handled by %(where)s; "
                     "no second case opened.") % {"head": head, "number": number, "state": state, "where": where}
        return _("%(head)s: this person's illness poverty risk case for the year already exists (opened by another user), "
                 "handled by %(where)s; no second case opened.") % {"head": head, "where": where}

    def as_dict(self, viewer: Any = None) -> dict[str, Any]:
        """JSON-ready; the case number and state only if ``viewer`` may be told them."""
        shown = self.case_shown_to(viewer)
        return {
            "year": self.finding.year,
            "area": self.finding.area,
            "village": self.village,
            "unit": self.unit,
            "self_pay": f"{self.finding.self_pay:.2f}",
            "crossed": list(self.finding.crossed),
            "opened": self.created,
            "existing": self.case is not None and not self.created,
            "case_number": self.case.number if shown else None,
            "case_state": self.case.state if shown else None,
            "case_visible": self.case is not None and (viewer is None or visible_cases(viewer).filter(pk=self.case.pk).exists()),
            "problem": self.problem,
            "message": self.message(viewer),
        }


def _state_label(case: Case) -> str:
    return str(case.get_state_display())


def system_user() -> User:
    """The integration account that opens risk cases (created on first use, cannot log in)."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        return user
    user = User(username=SYSTEM_USERNAME, role=Role.INTEGRATION, real_name="医疗保障计算（系统）", is_active=False)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError:
        # A concurrent first run created it.
        return User.objects.get(username=SYSTEM_USERNAME)
    return user


def risk_key(finding: RiskFinding) -> str:
    """Idempotency key of a person-year; the person reference is hashed, not stored."""
    digest = hashlib.sha256(finding.person.encode("utf-8")).hexdigest()[:40]
    return f"illness-risk:{finding.year}:{digest}"


def do_open_risk_cases(
    findings: list[RiskFinding],
    *,
    triggered_by: User | None,
    via: str,
    policy: Policy | None = None,
    now: datetime | None = None,
) -> list[RiskOutcome]:
    """Open one 因病返贫风险 case per person-year in the person's village.

    The case is submitted by the user who ran the check (the system account
    for the command line), so it appears in their own list; it starts at the
    village tier, where the village's staff accept it and the routing sends it
    to the village committee. One case per person-year whoever runs the check
    (:class:`~.models.RiskCaseLink`); running again returns it
    (``created`` False). Runs in one transaction: every case that can be opened
    is, or (on an unexpected error) none. Findings without a known village are
    reported with a problem. ``triggered_by`` must not be an auditor.
    """
    if triggered_by is not None:
        require_case_opener(triggered_by)
    category = Category.objects.filter(code=RISK_CATEGORY, active=True).first()
    if category is None:
        raise InvalidInput(_("The case category “%(code)s” is not loaded; run jiceng load-config.") % {"code": RISK_CATEGORY},
                           field="open_risk_cases")
    codes = {f.area for f in findings if f.area}
    villages = {a.code: a for a in Area.objects.filter(code__in=codes, level=AreaLevel.VILLAGE)}
    outcomes: list[RiskOutcome] = []
    now = now or timezone.now()
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        system = system_user()
        actor = triggered_by or system
        for finding in findings:
            if not finding.area:
                outcomes.append(RiskOutcome(finding, problem=_("No village code on the bills; no case opened.")))
                continue
            area = villages.get(finding.area)
            if area is None:
                outcomes.append(RiskOutcome(finding, problem=_("Village %(code)s is not in the registry; no case opened.") % {"code": finding.area}))
                continue
            unit = suggest_unit(category, area.code, category.start_level)
            place = {"village": area.name, "unit": unit.name if unit is not None else ""}
            # The user who ran the check submits where they may (so the case is in their own list);
            # elsewhere the system account does, and the link still names them.
            submitter = actor if triggered_by is None or can_submit_in(triggered_by, area) else system
            case, created, who = _risk_case(finding, category, area, submitter, system, triggered_by, via, policy, now)
            outcomes.append(RiskOutcome(finding, case=case, created=created, triggered_by_id=who, **place))
    return outcomes


def _risk_case(finding: RiskFinding, category: Category, area: Area, actor: User, system: User,
               triggered_by: User | None, via: str, policy: Policy | None, now: datetime) -> tuple[Case, bool, int | None]:
    """The person-year's case: the one on record, or a new one (with its link)."""
    key = risk_key(finding)
    link = RiskCaseLink.objects.select_related("case").filter(key=key).first()
    if link is not None:
        return link.case, False, link.triggered_by_id
    # Cases opened before the link existed carry the system account's key
    # (stored as "pk:key" before the keys were namespaced, hashed since).
    legacy_keys = [f"{system.pk}:{key}"[:128], stored_key(Idempotency(key, str(system.pk)))]
    legacy = Case.objects.filter(idempotency_key__in=legacy_keys).first()
    if legacy is not None:
        RiskCaseLink.objects.create(key=key, case=legacy, triggered_by=None, created_at=now)
        return legacy, False, None
    name, id_number = _subject(finding)
    specs = {s["name"] for s in category.field_specs()}
    fields = {"risk_year": finding.year, "medical_self_pay": f"{finding.self_pay:.2f}"}
    try:
        with transaction.atomic():
            case, created = do_submit(
                user=actor, category=category, area=area, channel=Channel.API,
                title=_("Illness poverty risk: medical self-pay in %(year)s above the threshold") % {"year": finding.year},
                description=_risk_description(finding, policy, triggered_by, via),
                fields={k: v for k, v in fields.items() if k in specs},
                reporter_name=name, reporter_id_number=id_number,
                source_ref=f"medical-protection:{finding.year}",
                idempotency=Idempotency(key, str(actor.pk), strict=False), now=now,
            )
            RiskCaseLink.objects.create(key=key, case=case, triggered_by=triggered_by, created_at=now)
    except IntegrityError:
        # A concurrent run opened the person-year's case first: use it.
        link = RiskCaseLink.objects.select_related("case").get(key=key)
        return link.case, False, link.triggered_by_id
    return case, created, triggered_by.pk if triggered_by is not None else None


def _subject(finding: RiskFinding) -> tuple[str, str]:
    """Name and ID number of the person, stored in the reporter fields so the
    case page masks them for everyone without a need to see them."""
    id_number = finding.id_number or ""
    if not id_number:
        try:
            id_number = validate_id_number(finding.person)
        except ValueError:
            id_number = ""
    name = finding.name or ("" if id_number else finding.person[:32]) or _("Insured person")
    return name[:32], id_number


def _risk_description(finding: RiskFinding, policy: Policy | None, who: User | None, via: str) -> str:
    # Only what the village needs to act on: the year, the amount and the rule
    # crossed. No diagnosis, hospital, bills or household income.
    rules = []
    if ABSOLUTE in finding.crossed and finding.threshold is not None:
        rules.append(_("yearly self-pay above %(amount)s yuan") % {"amount": fmt_yuan(finding.threshold)})
    if INCOME_SHARE in finding.crossed and finding.income_share is not None:
        rules.append(_("above %(share)s of the household income") % {"share": fmt_pct(finding.income_share)})
    text = _(
        "In %(year)s this insured person paid %(self_pay)s yuan of medical costs themselves after basic insurance, "
        "critical-illness insurance and medical assistance (%(bills)s bills), which is %(rules)s. Please check the "
        "household's income and spending and decide, following the monitoring procedure, whether to include it."
    ) % {"year": finding.year, "self_pay": fmt_yuan(finding.self_pay), "bills": finding.bills, "rules": "; ".join(rules)}
    trailer = _("Opened by the medical protection calculation (policy: %(policy)s; run by %(who)s via %(via)s).") % {
        "policy": finding.policy_name or (policy.name if policy is not None else ""), "who": who.display_name if who is not None else _("the command line"), "via": via,
    }
    return f"{text}\n{trailer}"
