"""What a person sees and may set when raising a matter, by role — decided here once.

The web form shows what :func:`submission_form` says; ``do_submit`` refuses
what :func:`check_submitter` refuses, whichever adapter sent it. Roles are
read through ``accounts.capabilities`` (``RECORD_FOR_OTHERS``: staff recording a
report someone made, with its channel and the reporter's details;
``POST_ALERTS``: devices and their platforms).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, can
from jiceng.accounts.models import Role, User
from jiceng.areas.models import Grid

from . import access
from .errors import InvalidInput, NotPermitted
from .models import Case, Category
from .states import Channel

# How staff receive what they record: a call, a visit, a patrol, a WeChat group, a video petition.
RECORDED_CHANNELS = (Channel.HOTLINE, Channel.VISIT, Channel.PATROL, Channel.WECHAT, Channel.VIDEO, Channel.WEB)
# Channels of machines: only their integrations send them, through the API.
MACHINE_CHANNELS = frozenset({Channel.SENSOR, Channel.API})
# A person reporting for themself, on the web or through an app using the API.
OWN_CHANNELS = frozenset({Channel.WEB, Channel.API})


@dataclass(frozen=True)
class SubmissionForm:
    """The submission form for one user: which inputs it shows and what it fills in."""

    channels: list[tuple[str, str]] = field(default_factory=list)  # empty: the channel is the web, not asked
    channel: str = Channel.WEB
    records_for_others: bool = False  # reporter's name, phone, ID number for someone else
    reporter_name: str = ""
    reporter_phone: str = ""
    area_code: str = ""  # the village preselected (a grid worker's own)
    grid_id: int | None = None  # the grid preselected


def submission_form(user: User | None) -> SubmissionForm:
    """The form ``user`` fills in: residents report for themselves, grid workers from their grid, staff record calls and visits."""
    if user is None or not user.is_authenticated:
        return SubmissionForm()
    if not can(user, Capability.RECORD_FOR_OTHERS):
        return SubmissionForm(reporter_name=user.display_name, reporter_phone=user.phone)
    channels = [(c.value, str(c.label)) for c in RECORDED_CHANNELS]
    if user.role == Role.GRID_WORKER:
        grid = Grid.objects.filter(workers=user).order_by("code").first()
        return SubmissionForm(channels=channels, channel=Channel.PATROL, records_for_others=True, reporter_name=user.display_name,
                              reporter_phone=user.phone, area_code=grid.area_id if grid else "", grid_id=grid.pk if grid else None)
    return SubmissionForm(channels=channels, channel=Channel.HOTLINE, records_for_others=True)


def is_device_category(category: Category) -> bool:
    """Alert categories (预警): filled by cameras and sensors, recognisable by their device field."""
    return any(spec.get("name") == "device_id" for spec in category.field_specs())


def submit_categories(user: User | None) -> list[Category]:
    """The leaf categories ``user`` may file under, grouped by parent (device alerts only for those who post alerts)."""
    leaves: QuerySet[Category] = Category.objects.filter(children__isnull=True, active=True).select_related("parent")
    devices = user is not None and can(user, Capability.POST_ALERTS)
    return [c for c in leaves if devices or not is_device_category(c)]


def check_submitter(user: User | None, category: Category, *, channel: str, reporter_id_number: str) -> None:
    """Refuse what ``user`` may not set: a machine's channel or alert category; for residents, a channel or an ID number.

    A resident's name and phone come prefilled from the account and stay editable
    (the name they want to be called back by); the case is linked to the account either way.
    """
    if user is None:
        return  # the anonymous public (Open311): checked by its adapter's own rules
    if is_device_category(category) and not can(user, Capability.POST_ALERTS):
        raise NotPermitted(_("“%(name)s” is reported by cameras and sensors; choose the category of the matter you saw") % {"name": category.name},
                           field="category")
    if channel in MACHINE_CHANNELS - OWN_CHANNELS and not can(user, Capability.POST_ALERTS):
        raise InvalidInput(_("Only cameras and sensors report through this channel"), field="channel")
    if can(user, Capability.RECORD_FOR_OTHERS):
        return
    if channel not in OWN_CHANNELS:
        raise InvalidInput(_("You report for yourself; the channel is the web"), field="channel")
    if reporter_id_number:
        raise InvalidInput(_("Residents do not enter an ID number here"), field="reporter_id_number")


def may_see_query_code(user: User | None, case: Case) -> bool:
    """Whether ``user`` may see (and print) the 查询码 of ``case``: the reporter, who recorded it, and staff who need it.

    The code is the reporter's credential for following the case without an
    account; auditors and other readers see the receipt without it.
    """
    if user is None or not user.is_authenticated:
        return False
    return case.reporter_id == user.pk or case.created_by_id == user.pk or access.needs_personal_data(user, case)
