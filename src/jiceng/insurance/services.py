"""Django glue of the medical protection engine: who may use it, which policy,
and the risk link that opens 因病返贫风险 monitoring cases.

Views, the API and the management command call these; the engine modules
stay free of Django.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, can
from jiceng.accounts.models import Role, User
from jiceng.cases.access import in_area_scope, visible_cases
from jiceng.areas.models import Area, AreaLevel
from jiceng.cases.actions import Idempotency, do_submit
from jiceng.cases.errors import InvalidInput, NotPermitted
from jiceng.cases.models import Case, Category
from jiceng.cases.states import Channel
from jiceng.people.idnumber import validate_id_number

from .money import fmt_pct, fmt_yuan
from .policy import Policy, PolicyError, load_policy, shipped_policies
from .risk import ABSOLUTE, INCOME_SHARE, RiskFinding

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
# Policies


def resolve_policy(policy_id: str | None = None, policy_toml: str | bytes | None = None) -> Policy:
    """A shipped policy by id, or a policy from TOML text; raises :class:`InvalidInput`."""
    if policy_toml:
        try:
            return load_policy(policy_toml if isinstance(policy_toml, bytes) else policy_toml.encode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidInput(_("The policy file must be UTF-8 text."), field="policy_toml") from None
        except PolicyError as exc:
            raise InvalidInput(str(exc), field="policy_toml") from None
    shipped = shipped_policies()
    if not policy_id:
        raise InvalidInput(_("Choose a policy."), field="policy_id")
    if policy_id not in shipped:
        raise InvalidInput(_("Unknown policy “%(id)s”.") % {"id": policy_id}, field="policy_id")
    return load_policy(shipped[policy_id])


def policy_choices() -> list[tuple[str, str]]:
    """(id, name) of the shipped policies, for forms."""
    return [(pid, load_policy(path).name) for pid, path in shipped_policies().items()]


# --------------------------------------------------------------------------
# Risk link


@dataclass
class RiskOutcome:
    """What happened to one finding: a case opened now, one that existed, or why not."""

    finding: RiskFinding
    case: Case | None = None
    created: bool = False
    problem: str = ""

    def as_dict(self, viewer: Any = None) -> dict[str, Any]:
        """JSON-ready; the case number only if ``viewer`` may see the case."""
        number = None
        if self.case is not None and (viewer is None or visible_cases(viewer).filter(pk=self.case.pk).exists()):
            number = self.case.number
        return {
            "year": self.finding.year,
            "area": self.finding.area,
            "self_pay": f"{self.finding.self_pay:.2f}",
            "crossed": list(self.finding.crossed),
            "opened": self.created,
            "existing": self.case is not None and not self.created,
            "case_number": number,
            "problem": self.problem,
        }


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
    policy: Policy,
    now: datetime | None = None,
) -> list[RiskOutcome]:
    """Open one 因病返贫风险 case per person-year in the person's village.

    Runs in one transaction: either every case that can be opened is opened,
    or (on an unexpected error) none. A person-year that already has its case
    gets it back (``created`` False). Findings without a known village are
    reported with a problem and open nothing. ``triggered_by`` (None for the
    command line) must not be an auditor.
    """
    if triggered_by is not None:
        require_case_opener(triggered_by)
    category = Category.objects.filter(code=RISK_CATEGORY, active=True).first()
    if category is None:
        raise InvalidInput(_("The case category “%(code)s” is not loaded; run jiceng load-config.") % {"code": RISK_CATEGORY},
                           field="open_risk_cases")
    codes = {f.area for f in findings if f.area}
    villages = {a.code: a for a in Area.objects.filter(code__in=codes, level=AreaLevel.VILLAGE)}
    specs = {s["name"] for s in category.field_specs()}
    outcomes: list[RiskOutcome] = []
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        actor = system_user()
        for finding in findings:
            if not finding.area:
                outcomes.append(RiskOutcome(finding, problem=_("No village code on the bills; no case opened.")))
                continue
            area = villages.get(finding.area)
            if area is None:
                outcomes.append(RiskOutcome(finding, problem=_("Village %(code)s is not in the registry; no case opened.") % {"code": finding.area}))
                continue
            name, id_number = _subject(finding)
            fields = {"risk_year": finding.year, "medical_self_pay": f"{finding.self_pay:.2f}"}
            case, created = do_submit(
                user=actor, category=category, area=area, channel=Channel.API,
                title=_("Illness poverty risk: medical self-pay in %(year)s above the threshold") % {"year": finding.year},
                description=_risk_description(finding, policy, triggered_by, via),
                fields={k: v for k, v in fields.items() if k in specs},
                reporter_name=name, reporter_id_number=id_number,
                source_ref=f"medical-protection:{finding.year}",
                idempotency=Idempotency(risk_key(finding), str(actor.pk), strict=False), now=now,
            )
            outcomes.append(RiskOutcome(finding, case=case, created=created))
    return outcomes


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


def _risk_description(finding: RiskFinding, policy: Policy, who: User | None, via: str) -> str:
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
        "policy": policy.name, "who": who.display_name if who is not None else _("the command line"), "via": via,
    }
    return f"{text}\n{trailer}"
