"""Who may run and see which programme work: the programmes app's access module.

Programme managers (village, township and county staff and leaders with
``manage_programmes``) manage pairings, plans and monitoring in their area
(the same area scope as the registry: ``people.access.area_prefixes``);
grid workers and helpers see the targets assigned to them and log their
visits; reads of households go through ``people.access``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.capabilities import Capability, can, require
from jiceng.accounts.models import Role, User
from jiceng.areas.models import Area, in_subtrees, subtrees_q
from jiceng.errors import NotFound, NotPermitted
from jiceng.people import access as people_access

from .models import MonitoredHousehold, Pairing, PlanTarget, Visit, VisitPlan


def _active(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def paired_household_ids(user: User) -> QuerySet | None:
    """Households ``user`` is paired with now (registered with the registry as a helper's scope)."""
    if not _active(user):
        return None
    return Pairing.objects.filter(helper=user, ended__isnull=True).values_list("household_id", flat=True)


def area_q(user: User | None, field: str = "area_id") -> Q | None:
    """The programme area of ``user`` as a filter on an area-code column; None means everywhere."""
    if not _active(user):
        return Q(pk__in=[])
    if people_access.is_unrestricted(user):
        return None
    return subtrees_q(field, people_access.area_prefixes(user))


def _filter(qs: QuerySet, q: Q | None) -> QuerySet:
    return qs if q is None else qs.filter(q)


def can_manage_in(user: User | None, area: Area) -> bool:
    if not _active(user) or not can(user, Capability.MANAGE_PROGRAMMES):
        return False
    if people_access.is_unrestricted(user):
        return True
    return user.role != Role.AUDITOR and in_subtrees(area.code, people_access.area_prefixes(user))


def check_manage_in(user: User | None, area: Area) -> None:
    require(user, Capability.MANAGE_PROGRAMMES)
    if not can_manage_in(user, area):
        raise NotPermitted(_("您只能管理本辖区的帮扶与走访工作；%(area)s 不在其中") % {"area": area.name}, field="area")


# --- pairings ------------------------------------------------------------------------------

def visible_pairings(user: User | None) -> QuerySet[Pairing]:
    """Pairings of households the user may see, and the user's own as a helper."""
    if not _active(user):
        return Pairing.objects.none()
    households = people_access.visible_households(user).values("id")
    return Pairing.objects.filter(Q(helper=user) | Q(household_id__in=households))


# --- plans, targets, visits ------------------------------------------------------------------

def visible_plans(user: User | None) -> QuerySet[VisitPlan]:
    if not _active(user):
        return VisitPlan.objects.none()
    if can(user, Capability.MANAGE_PROGRAMMES) or can(user, Capability.VIEW_PEOPLE) and user.role in people_access.AREA_ROLES:
        q = area_q(user)
        mine = Q(pk__in=PlanTarget.objects.filter(assignee=user).values("plan_id"))
        return VisitPlan.objects.all() if q is None else VisitPlan.objects.filter(q | mine)
    return VisitPlan.objects.filter(pk__in=PlanTarget.objects.filter(assignee=user).values("plan_id"))


def visible_targets(user: User | None) -> QuerySet[PlanTarget]:
    """Targets assigned to the user, and those of the user's programme area."""
    if not _active(user):
        return PlanTarget.objects.none()
    q = Q(assignee=user)
    if can(user, Capability.MANAGE_PROGRAMMES) or user.role in people_access.AREA_ROLES:
        scope = area_q(user)
        if scope is None:
            return PlanTarget.objects.all()
        q |= scope
    return PlanTarget.objects.filter(q)


def access_target(user: User | None, pk: Any) -> PlanTarget:
    target = (visible_targets(user).select_related("plan", "household", "grid", "area", "assignee").filter(pk=pk).first()
              if str(pk).isdigit() else None)
    if target is None:
        raise NotFound(_("该走访对象不存在或不在您的查看范围内"), field="target")
    return target


def check_may_visit(user: User | None, target: PlanTarget) -> None:
    """The assignee logs visits of their targets; programme managers of the area may log for them."""
    if not _active(user):
        raise NotPermitted(_("请先登录"))
    if target.assignee_id == user.pk or can_manage_in(user, target.area):
        return
    raise NotPermitted(_("这项走访任务不是分配给您的"), field="target")


def overdue_q(today: dt.date) -> Q:
    """Targets due before today and not done."""
    return Q(next_due__lt=today)


def overdue_visits_for(user: User | None, today: dt.date | None = None) -> QuerySet[PlanTarget]:
    """The user's own overdue visits and patrols, most overdue first — for the workbench.

    One index range on (assignee, next_due).
    """
    if not _active(user):
        return PlanTarget.objects.none()
    today = today or timezone.localdate()
    return (PlanTarget.objects.filter(overdue_q(today), assignee=user, plan__active=True)
            .select_related("plan", "household", "grid", "area").order_by("next_due", "id"))


def due_soon_for(user: User | None, days: int = 7, today: dt.date | None = None) -> QuerySet[PlanTarget]:
    today = today or timezone.localdate()
    if not _active(user):
        return PlanTarget.objects.none()
    return (PlanTarget.objects.filter(assignee=user, plan__active=True, next_due__gte=today, next_due__lte=today + dt.timedelta(days=days))
            .select_related("plan", "household", "grid", "area").order_by("next_due", "id"))


def visible_visits(user: User | None) -> QuerySet[Visit]:
    if not _active(user):
        return Visit.objects.none()
    q = Q(by=user)
    if can(user, Capability.MANAGE_PROGRAMMES) or user.role in people_access.AREA_ROLES:
        scope = area_q(user)
        if scope is None:
            return Visit.objects.all()
        q |= scope
    grids = people_access.grid_ids(user)
    if grids:
        q |= Q(grid_id__in=grids)
    return Visit.objects.filter(q)


def access_visit(user: User | None, pk: Any) -> Visit:
    visit = visible_visits(user).select_related("household", "grid", "area", "by", "case", "target").filter(pk=pk).first() \
        if str(pk).isdigit() else None
    if visit is None:
        raise NotFound(_("该走访记录不存在或不在您的查看范围内"), field="visit")
    return visit


# --- monitoring -------------------------------------------------------------------------------

def visible_monitored(user: User | None) -> QuerySet[MonitoredHousehold]:
    if not _active(user):
        return MonitoredHousehold.objects.none()
    households = people_access.visible_households(user).values("id")
    return MonitoredHousehold.objects.filter(household_id__in=households)


# --- points and cadre tasks: one answer for "no such record" and "not yours" -------------------

def _one(qs: QuerySet, pk: Any, message: str, field: str):
    row = qs.filter(pk=int(pk)).first() if str(pk).isascii() and str(pk).isdigit() and len(str(pk)) <= 18 else None
    if row is None:
        raise NotFound(message, field=field)
    return row


def access_activity(user: User | None, pk: Any):
    """A volunteer activity of the user's programme area; NotFound otherwise (existence is not revealed)."""
    from .models import Activity

    return _one(_filter(Activity.objects.select_related("area"), area_q(user)), pk, _("没有这个活动"), "activity")


def access_signup(user: User | None, pk: Any):
    """A sign-up to an activity of the user's programme area; NotFound otherwise."""
    from .models import SignUp

    return _one(_filter(SignUp.objects.select_related("activity", "person"), area_q(user, "activity__area_id")), pk,
                _("没有这条报名"), "signup")


def access_reward(user: User | None, pk: Any):
    """A reward of the points store of the user's programme area; NotFound otherwise."""
    from .models import Reward

    return _one(_filter(Reward.objects.select_related("area"), area_q(user)), pk, _("没有这个兑换品"), "reward")


def access_cadre_task(user: User | None, pk: Any):
    """A cadre task assigned to the user, or in the programme area they manage; NotFound otherwise."""
    from .models import CadreTask

    if not _active(user):
        raise NotFound(_("没有这项任务"), field="task")
    scope = area_q(user)
    qs = CadreTask.objects.select_related("area")
    qs = qs if scope is None else qs.filter(scope | Q(assignee=user))
    return _one(qs, pk, _("没有这项任务"), "task")
