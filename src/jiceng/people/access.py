"""Who may see and change whom in the registry: the people app's one access module.

Scope, by what the user is to the people concerned:

- administrators without an area: everyone;
- village, township and county staff, leaders and auditors with an area: the
  people and households of that area's subtree (one indexed range on the area code);
- county handlers of a department that keeps the registry (民政, 乡村振兴): their county;
- grid workers: the households and people of their grids;
- helpers (结对帮扶, 党员包户): their paired households, through the scope
  providers other apps register (:func:`register_household_scope`), since
  pairings live above this app.

Personal data (ID number, phone, exact address) is masked unless the viewer
has a need (:func:`needs_personal_data`); revealing it is logged in the
personal-data access log (``accounts.PersonalDataAccess``) here, once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, can, require
from jiceng.accounts.models import PersonalDataAccess, Role, User
from jiceng.areas.models import Area, Grid, in_subtrees, subtrees_q
from jiceng.errors import NotFound, NotPermitted

from . import identity
from .masking import mask_address, mask_id_number, mask_name, mask_phone
from .models import Household, Membership, Person, PersonTag

AREA_ROLES = frozenset({Role.VILLAGE_STAFF, Role.TOWNSHIP_STAFF, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN})
# County departments that keep the registry of their county (民政局, 乡村振兴局).
REGISTRY_UNIT_KINDS = frozenset({"civil_affairs", "rural_revitalization"})

# Other apps (programmes: pairings) add the households a user is responsible for.
HouseholdScope = Callable[[User], "QuerySet | None"]
_HOUSEHOLD_SCOPES: list[HouseholdScope] = []


def register_household_scope(provider: HouseholdScope) -> None:
    """Add a provider: ``provider(user)`` returns a values('id') queryset of households the user looks after, or None."""
    if provider not in _HOUSEHOLD_SCOPES:
        _HOUSEHOLD_SCOPES.append(provider)


def _active(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_unrestricted(user: User) -> bool:
    return user.role == Role.ADMIN and user.scope_area_id is None


def area_prefixes(user: User) -> list[str]:
    """The area code prefixes whose people ``user`` sees by area: their scope area, or their registry department's county."""
    prefixes = []
    if user.role in AREA_ROLES and user.scope_area_id:
        prefixes.append(user.scope_area.prefix)
    if user.role == Role.COUNTY_HANDLER:
        for code in user.units.filter(kind_id__in=REGISTRY_UNIT_KINDS).values_list("area_id", flat=True):
            prefixes.append(code[:6])
    return prefixes


def grid_ids(user: User) -> list[int]:
    return list(user.grids.values_list("id", flat=True)) if user.role == Role.GRID_WORKER else []


def helped_households(user: User) -> list[int]:
    """Households the user looks after as a helper (from the registered providers)."""
    ids: list[int] = []
    for provider in _HOUSEHOLD_SCOPES:
        qs = provider(user)
        if qs is not None:
            ids.extend(qs)
    return ids


def _scope_q(user: User, area_field: str, grid_field: str) -> Q:
    q = subtrees_q(area_field, area_prefixes(user))
    grids = grid_ids(user)
    if grids:
        q |= Q(**{f"{grid_field}__in": grids})
    return q


def _may_read(user: User | None, helped: list[int]) -> bool:
    return _active(user) and (can(user, Capability.VIEW_PEOPLE) or bool(helped))


def households_q(user: User | None, path: str = "") -> Q | None:
    """The households ``user`` may read, as a filter on a household (or on a relation ``path`` to one); None: all."""
    helped = helped_households(user) if _active(user) else []
    if not _may_read(user, helped):
        return Q(pk__in=[])
    if is_unrestricted(user):
        return None
    q = _scope_q(user, f"{path}area_id", f"{path}grid_id")
    if helped:
        q |= Q(**{f"{path}pk__in" if path == "" else f"{path}id__in": helped})
    return q


def people_q(user: User | None, path: str = "") -> Q | None:
    """The people ``user`` may read, as a filter on a person (or on a relation ``path`` to one, e.g. ``"person__"``); None: all.

    Indexed lookups only (area code range, grid, the helper's households' members), so callers can
    join through it instead of an IN-subquery over the whole registry.
    """
    helped = helped_households(user) if _active(user) else []
    if not _may_read(user, helped):
        return Q(pk__in=[])
    if is_unrestricted(user):
        return None
    q = _scope_q(user, f"{path}area_id", f"{path}grid_id")
    if helped:
        members = Membership.objects.filter(household_id__in=helped, left__isnull=True).values("person_id")
        q |= Q(**{f"{path}pk__in" if path == "" else f"{path}id__in": members})
    return q


def visible_households(user: User | None) -> QuerySet[Household]:
    """The households ``user`` may read. The one entry point for household lists."""
    q = households_q(user)
    return Household.objects.all() if q is None else Household.objects.filter(q)


def visible_people(user: User | None) -> QuerySet[Person]:
    """The people ``user`` may read (merged duplicates excluded). The one entry point for person lists."""
    q = people_q(user)
    live = Person.objects.filter(merged_into__isnull=True)
    return live if q is None else live.filter(q)


def visible_tags_held(user: User | None, kind: Any, day: Any) -> QuerySet[PersonTag]:
    """Tags of ``kind`` held on ``day`` by people ``user`` may read: one join, bounded by the (kind, valid_from) index."""
    qs = PersonTag.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), kind=kind, valid_from__lte=day,
                                  person__merged_into__isnull=True)
    q = people_q(user, "person__")
    return qs if q is None else qs.filter(q)


def not_found() -> NotFound:
    return NotFound(_("该人员不存在或不在您的查看范围内"), field="person")


def access_person(user: User | None, pk: Any) -> Person:
    """The person ``pk`` if ``user`` may read them; NotFound otherwise (existence is not revealed)."""
    person = visible_people(user).select_related("area", "grid").filter(pk=pk).first() if str(pk).isdigit() else None
    if person is None:
        raise not_found()
    return person


def access_household(user: User | None, pk: Any) -> Household:
    household = visible_households(user).select_related("area", "grid", "head").filter(pk=pk).first() if str(pk).isdigit() else None
    if household is None:
        raise NotFound(_("该家庭户不存在或不在您的查看范围内"), field="household")
    return household


# --- changing the registry -------------------------------------------------------

def can_manage_place(user: User | None, area: Area | None, grid: Grid | None = None) -> bool:
    """Whether ``user`` may register and change people and households in village ``area`` (grid workers: in their grids)."""
    if not _active(user) or not can(user, Capability.MANAGE_PEOPLE):
        return False
    if is_unrestricted(user):
        return True
    if area is not None and user.role != Role.AUDITOR and in_subtrees(area.code, area_prefixes(user)):
        return True
    return grid is not None and grid.pk in grid_ids(user)


def check_manage_place(user: User | None, area: Area | None, grid: Grid | None = None) -> None:
    require(user, Capability.MANAGE_PEOPLE)
    if not can_manage_place(user, area, grid):
        place = grid.name if grid is not None else (area.name if area is not None else _("未指定地点"))
        raise NotPermitted(_("您只能登记和修改本辖区（本网格）的人员；%(place)s 不在其中") % {"place": place}, field="area")


def manageable_villages(user: User | None) -> QuerySet[Area]:
    """The villages ``user`` may register people in (for forms)."""
    from jiceng.areas.models import AreaLevel

    villages = Area.objects.filter(level=AreaLevel.VILLAGE)
    if not _active(user) or not can(user, Capability.MANAGE_PEOPLE):
        return villages.none()
    if is_unrestricted(user):
        return villages
    q = subtrees_q("code", area_prefixes(user))
    grids = grid_ids(user)
    if grids:
        q |= Q(pk__in=Grid.objects.filter(pk__in=grids).values("area_id"))
    return villages.filter(q)


def manageable_grids(user: User | None) -> QuerySet[Grid]:
    villages = manageable_villages(user)
    grids = Grid.objects.filter(area__in=villages)
    if _active(user) and user.role == Role.GRID_WORKER:
        grids = grids.filter(pk__in=grid_ids(user))
    return grids.order_by("code")


# --- personal data ---------------------------------------------------------------

def needs_personal_data(user: User | None, person: Person) -> bool:
    """Whether ``user`` has a need to see the person's ID number and phone.

    Staff who may see personal data and work where the person lives (their
    area, their grid), and the person's helper; never auditors.
    """
    if not _active(user):
        return False
    if can(user, Capability.SEE_PERSONAL_DATA) or user.role == Role.ADMIN:
        if is_unrestricted(user) or in_subtrees(person.area_id, area_prefixes(user)):
            return user.role != Role.AUDITOR
        if person.grid_id and person.grid_id in grid_ids(user):
            return True
    helped = helped_households(user)
    return bool(helped) and Membership.objects.filter(person=person, household_id__in=helped, left__isnull=True).exists()


def log_reveal(user: User, person: Person, purpose: str) -> None:
    PersonalDataAccess.objects.create(user=user, person=person, purpose=purpose[:64])


def person_view(user: User | None, person: Person, *, reveal: bool = False, purpose: str = "view") -> dict:
    """The person's data as ``user`` may see it: masked unless revealed; a reveal needs a need and is logged.

    ``can_reveal`` tells a page whether to offer the button.
    """
    need = needs_personal_data(user, person)
    if reveal and not need:
        raise NotPermitted(_("您没有查看该人员个人信息的必要"))
    if reveal:
        log_reveal(user, person, purpose)
    id_number, phone = identity.id_number_of(person), identity.phone_of(person)
    shown_name = person.name if (need or can(user, Capability.SEE_PERSONAL_DATA)) else mask_name(person.name)
    if reveal:
        data = {"id_number": id_number, "phone": phone, "address": person.address, "masked": False}
    else:
        data = {"id_number": mask_id_number(id_number) if id_number else "", "phone": mask_phone(phone) if phone else "",
                "address": mask_address(person.address), "masked": True}
    data.update({"name": shown_name, "can_reveal": need and not reveal})
    return data


def people_with_need(user: User | None, people: list[Person]) -> set[int]:
    """The ids of ``people`` whose ID number and phone ``user`` has a need to see: :func:`needs_personal_data` for a list,
    with the viewer's scope read once (a roster of thousands asks a handful of queries, not one per person)."""
    if not _active(user) or not people:
        return set()
    found: set[int] = set()
    if (can(user, Capability.SEE_PERSONAL_DATA) or user.role == Role.ADMIN) and user.role != Role.AUDITOR:
        if is_unrestricted(user):
            return {p.pk for p in people}
        prefixes, grids = area_prefixes(user), set(grid_ids(user))
        found = {p.pk for p in people if in_subtrees(p.area_id, prefixes) or p.grid_id in grids}
    helped = helped_households(user)
    if helped:
        rest = [p.pk for p in people if p.pk not in found]
        found |= set(Membership.objects.filter(person_id__in=rest, household_id__in=helped, left__isnull=True)
                     .values_list("person_id", flat=True))
    return found


def reveal_listed(user: User | None, people: list[Person], purpose: str) -> set[int]:
    """Reveal the personal data of those of ``people`` the viewer needs, logging each reveal (one insert per batch).

    For results handed over in full (a roster check's workbook of people to enrol); returns the ids revealed,
    the others are to be shown masked.
    """
    shown = people_with_need(user, people)
    if shown:
        PersonalDataAccess.objects.bulk_create(
            [PersonalDataAccess(user=user, person_id=pk, purpose=purpose[:64]) for pk in sorted(shown)], batch_size=2000)
    return shown


def visible_tags_held_of(user: User | None, kind_codes: list[str], day: Any) -> QuerySet[PersonTag]:
    """Tags of any of ``kind_codes`` held on ``day`` by people ``user`` may read (the person joined in)."""
    qs = PersonTag.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), kind__code__in=kind_codes,
                                  valid_from__lte=day, person__merged_into__isnull=True)
    q = people_q(user, "person__")
    return (qs if q is None else qs.filter(q)).select_related("person", "kind")


def listed_person(user: User | None, person: Person, show_names: bool) -> dict:
    """A person as a list row shows them: always masked (lists never reveal); names kept for staff."""
    id_number, phone = identity.id_number_of(person), identity.phone_of(person)
    return {"id_number": mask_id_number(id_number) if id_number else "", "phone": mask_phone(phone) if phone else "",
            "name": person.name if show_names else mask_name(person.name)}


def shows_names(user: User | None) -> bool:
    """Staff with a need for personal data read names in lists; auditors read them masked."""
    return _active(user) and (can(user, Capability.SEE_PERSONAL_DATA) or bool(helped_households(user)))


def check_reads_registry(user: User | None) -> None:
    """Refuse users who read no part of the registry: neither registry staff nor a helper with paired households.

    Who passes still sees only their scope (:func:`visible_people`, :func:`visible_households`).
    """
    if not (_active(user) and (can(user, Capability.VIEW_PEOPLE) or helped_households(user))):
        raise NotPermitted(_("您无权查看人员信息"))
