"""Who may see which statistics: the scope of a user's figures, from the case access layer.

A county leader sees the county, a township head their township, a village
their village (their area scope in ``cases.access``); a department head
(county handler) sees the cases of their units. Figures never widen what
``visible_cases`` lets a user read, and every drill-down goes to the case list,
which applies ``visible_cases`` again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, can
from jiceng.accounts.models import Role, User
from jiceng.areas.codes import subtree_prefix
from jiceng.areas.models import Area, subtree_q
from jiceng.cases import access as case_access
from jiceng.cases.errors import InvalidInput, NotPermitted


@dataclass(frozen=True)
class Scope:
    """What a set of figures covers: an area subtree and, for departments, their units."""

    area_prefix: str  # "" = every area
    unit_ids: tuple[int, ...] | None = None  # None = every unit
    label: str = ""

    def q(self, area_field: str = "area_id", unit_field: str = "unit_id") -> Q:
        q = subtree_q(area_field, self.area_prefix) if self.area_prefix else Q()
        if self.unit_ids is not None:
            q &= Q(**{f"{unit_field}__in": self.unit_ids})
        return q

    def narrowed(self, area_code: str) -> "Scope":
        """The same scope limited to ``area_code`` (which must lie inside it)."""
        prefix = subtree_prefix(area_code)
        if self.area_prefix and not prefix.startswith(self.area_prefix):
            raise NotPermitted(_("The area %(code)s lies outside your statistics scope") % {"code": area_code}, field="area")
        area = Area.objects.filter(code=area_code.ljust(12, "0")).first()
        return Scope(prefix, self.unit_ids, area.name if area else area_code)

    @property
    def area_query(self) -> str:
        """The ``area`` parameter of the case list for this scope."""
        return self.area_prefix


def may_view(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active and can(user, Capability.VIEW_STATISTICS))


def scope_for(user: User | None) -> Scope:
    """The widest scope of ``user``'s figures; NotPermitted for users who have none."""
    if not may_view(user):
        raise NotPermitted(_("Statistics are for leaders, township and department heads."))
    if case_access.is_unrestricted(user):
        return Scope("", None, _("All areas"))
    if user.scope_area_id and user.role in case_access.AREA_READ_ROLES:
        return Scope(user.scope_area.prefix, None, user.scope_area.name)
    unit_ids = tuple(user.units.values_list("id", flat=True))
    if user.role == Role.COUNTY_HANDLER and unit_ids:
        names = "、".join(user.units.values_list("name", flat=True)[:3])
        return Scope("", unit_ids, names)
    raise NotPermitted(_("Your account has no area or unit to show statistics for."))


def scope_of(user: User | None, area: str = "") -> Scope:
    """The user's scope, narrowed to ``area`` (a 6-, 9- or 12-digit code inside it) when given.

    NotPermitted for users without statistics or for an area outside their
    scope; InvalidInput (a Chinese message) for a malformed code. Web and REST both ask here.
    """
    scope = scope_for(user)
    area = (area or "").strip()
    if not area:
        return scope
    if not (area.isascii() and area.isdigit() and len(area) in (6, 9, 12)):
        raise InvalidInput(_("The area must be a division code of 6, 9 or 12 digits"), field="area")
    return scope.narrowed(area)


def check_ledger_person_data(user: User | None) -> bool:
    """Whether a ledger shows people's names unmasked: only to staff who may see personal data.

    A ledger lists many cases at once, so the per-case need test of
    ``cases.access.person_view`` is applied per row by the ledger itself;
    this is the coarse gate (auditors and leaders read masked ledgers).
    """
    return bool(user and can(user, Capability.SEE_PERSONAL_DATA) and user.role != Role.SUPERVISOR)
