"""The role → capability table: what each kind of user may do, in one place.

Every "is this person staff?" question asks :func:`can` with a capability;
nothing else decides it. Scope (which villages, which units) is a separate
question, answered by the access modules of the domain apps (e.g.
``jiceng.cases.access``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import Role


class Capability(StrEnum):
    SUBMIT = "submit"  # raise a matter (点单)
    RECORD_FOR_OTHERS = "record_for_others"  # record a report on someone's behalf: channel, reporter's details
    POST_ALERTS = "post_alerts"  # send sensor / AI-camera alerts
    MANAGE_DEVICES = "manage_devices"  # register sensors and cameras, clear the unknown-device queue
    HANDLE = "handle"  # be a member of a unit that handles cases
    DISPATCH = "dispatch"  # accept and dispatch cases of the own area and tier
    LEAD = "lead"  # supervise (督办), own hard cases (包案), decide disputes
    SEE_PERSONAL_DATA = "see_personal_data"  # may have a need to see a reporter's data (still checked per case)
    FREQUENT_CALLERS = "frequent_callers"  # the frequent-caller list
    INSURANCE_TOOLS = "insurance_tools"  # the medical protection calculators and roster check
    OPEN_RISK_CASES = "open_risk_cases"  # open monitoring cases from a high self-pay finding
    PLACE_REPORTS = "place_reports"  # place reports from the 待定位 queue in a village
    READ_ACCESS_LOG = "read_access_log"  # the personal-data access log
    VIEW_PEOPLE = "view_people"  # the registry of people and households (scope: people.access)
    MANAGE_PEOPLE = "manage_people"  # register, import, tag and merge people (scope: people.access)
    MANAGE_PROGRAMMES = "manage_programmes"  # pairings, visit plans, monitoring, targets, points (scope: programmes.access)
    VIEW_STATISTICS = "view_statistics"  # the leaders' dashboard, ledgers, reports and recurring themes (scope: stats.access)
    VIEW_OUTBOX = "view_outbox"  # the notifications' outbox: every SMS, WeChat and e-mail delivery with its attempts
    IMPORT_REGISTRY = "import_registry"  # import areas, grids, units and users from spreadsheets (administrators)


_STAFF = {Capability.SUBMIT, Capability.RECORD_FOR_OTHERS, Capability.HANDLE, Capability.SEE_PERSONAL_DATA,
          Capability.FREQUENT_CALLERS}

_REGISTRY = {Capability.VIEW_PEOPLE, Capability.MANAGE_PEOPLE}
_PROGRAMMES = _REGISTRY | {Capability.MANAGE_PROGRAMMES}

CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.RESIDENT: frozenset({Capability.SUBMIT}),
    Role.GRID_WORKER: frozenset(_STAFF | _REGISTRY),
    Role.VILLAGE_STAFF: frozenset(_STAFF | _PROGRAMMES | {Capability.DISPATCH, Capability.INSURANCE_TOOLS, Capability.OPEN_RISK_CASES}),
    Role.TOWNSHIP_STAFF: frozenset(_STAFF | _PROGRAMMES | {Capability.DISPATCH, Capability.INSURANCE_TOOLS,
                                                           Capability.OPEN_RISK_CASES, Capability.PLACE_REPORTS,
                                                           Capability.VIEW_STATISTICS}),
    Role.COUNTY_HANDLER: frozenset(_STAFF | _PROGRAMMES | {Capability.INSURANCE_TOOLS, Capability.OPEN_RISK_CASES,
                                                           Capability.VIEW_STATISTICS}),
    # The county's dispatch centre dispatches (at county tier only: workflow.dispatcher) and places reports.
    Role.DISPATCH_CENTRE: frozenset(_STAFF | {Capability.DISPATCH, Capability.PLACE_REPORTS, Capability.VIEW_STATISTICS}),
    Role.SUPERVISOR: frozenset({Capability.SUBMIT, Capability.RECORD_FOR_OTHERS, Capability.LEAD, Capability.SEE_PERSONAL_DATA,
                                Capability.FREQUENT_CALLERS, Capability.INSURANCE_TOOLS, Capability.OPEN_RISK_CASES,
                                Capability.PLACE_REPORTS, Capability.VIEW_PEOPLE, Capability.MANAGE_PROGRAMMES,
                                Capability.VIEW_STATISTICS}),
    # Auditors read within their scope; they never act and never see personal data unmasked.
    Role.AUDITOR: frozenset({Capability.FREQUENT_CALLERS, Capability.INSURANCE_TOOLS, Capability.READ_ACCESS_LOG,
                             Capability.VIEW_PEOPLE, Capability.VIEW_STATISTICS}),
    Role.ADMIN: frozenset(Capability),
    # Hotlines, cameras and sensors: they submit and post alerts; they never see people.
    Role.INTEGRATION: frozenset({Capability.SUBMIT, Capability.RECORD_FOR_OTHERS, Capability.POST_ALERTS}),
}

REFUSALS = {
    Capability.SUBMIT: _("Auditors read cases but do not submit them."),
    Capability.POST_ALERTS: _("Only integration keys of cameras and sensors may send alerts."),
    Capability.MANAGE_DEVICES: _("Only administrators register devices."),
    Capability.FREQUENT_CALLERS: _("The frequent-caller list is for staff only."),
    Capability.INSURANCE_TOOLS: _("The medical protection tools are for staff only."),
    Capability.OPEN_RISK_CASES: _("You may not open monitoring cases."),
    Capability.PLACE_REPORTS: _("Only dispatchers of the county or a township place reports."),
    Capability.READ_ACCESS_LOG: _("The access log is for auditors and administrators."),
    Capability.VIEW_PEOPLE: _("The registry of people is for staff only."),
    Capability.MANAGE_PEOPLE: _("You may not change the registry of people."),
    Capability.MANAGE_PROGRAMMES: _("You may not manage programmes."),
    Capability.VIEW_STATISTICS: _("Statistics are for leaders, township and department heads."),
    Capability.VIEW_OUTBOX: _("The outbox of notifications is for administrators."),
    Capability.IMPORT_REGISTRY: _("Only administrators import the registry of areas, grids, units and users."),
}


def capabilities_of(user: Any) -> frozenset[Capability]:
    """The capabilities of ``user``; none for anonymous users.

    Deactivated people cannot log in (Django refuses their sessions and revoked
    keys are not found), so activity is not checked here: inactive *system*
    accounts (e.g. the medical protection link) keep their role's capabilities.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    return CAPABILITIES.get(getattr(user, "role", ""), frozenset())


def can(user: Any, capability: Capability) -> bool:
    return capability in capabilities_of(user)


def require(user: Any, capability: Capability) -> None:
    """Raise NotPermitted with the capability's own message unless ``user`` has it."""
    from jiceng.errors import NotPermitted

    if not can(user, capability):
        raise NotPermitted(REFUSALS.get(capability, _("You may not do this.")))
