"""Task lists of assigned cadres (e.g. a 驻村第一书记's 13 tasks of the year) and their quarterly evaluation scores."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import User
from jiceng.areas.models import Area
from jiceng.errors import Conflict, InvalidInput, NotPermitted
from jiceng.people.actions import clean_date, clean_text

from . import access
from .models import CadreTask, QuarterlyEvaluation

MAX_TASKS = 30


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("年度必须是四位年份"), field="year") from None
    if not 2000 <= year <= 2200:
        raise InvalidInput(_("年度 %(year)s 不合理") % {"year": year}, field="year")
    return year


@transaction.atomic
def do_assign_tasks(user: User | None, assignee: User, *, area: Area, year: Any, titles: list[str]) -> list[CadreTask]:
    """Give a cadre stationed in ``area`` the year's task list (appended after any tasks already given)."""
    access.check_manage_in(user, area)
    if user is not None and assignee.pk == user.pk:
        raise NotPermitted(_("不能给自己下达任务"), field="assignee")
    year = _year(year)
    titles = [clean_text(t, "titles", _("任务"), 200) for t in titles]
    titles = [t for t in titles if t]
    if not titles:
        raise InvalidInput(_("请至少填写一项任务"), field="titles")
    start = CadreTask.objects.filter(assignee=assignee, year=year).count()
    if start + len(titles) > MAX_TASKS:
        raise InvalidInput(_("每人每年最多 %(n)s 项任务") % {"n": MAX_TASKS}, field="titles")
    return CadreTask.objects.bulk_create([CadreTask(assignee=assignee, area=area, year=year, order=start + i, title=t, assigned_by=user)
                                          for i, t in enumerate(titles, start=1)])


@transaction.atomic
def do_complete_task(user: User | None, task: CadreTask, *, on: Any = None, note: str = "") -> CadreTask:
    """The cadre (or a manager of the area) records a task as done."""
    task = CadreTask.objects.select_for_update(of=("self",)).select_related("area").get(pk=task.pk)
    if not (user is not None and task.assignee_id == user.pk):
        access.check_manage_in(user, task.area)
    if task.done_on is not None:
        raise Conflict(_("该任务已于 %(day)s 完成") % {"day": task.done_on}, field="task")
    task.done_on = clean_date(on or timezone.localdate(), "on", _("完成日期"))
    task.note = clean_text(note, "note", _("完成情况"), 300)
    task.save(update_fields=["done_on", "note"])
    return task


@transaction.atomic
def do_evaluate(user: User | None, assignee: User, *, area: Area, year: Any, quarter: Any, score: Any, comment: str = "") -> QuarterlyEvaluation:
    """Score a cadre's quarter (0–100); a manager of the cadre's area, never the cadre themself. Scoring again corrects it."""
    access.check_manage_in(user, area)
    if user is not None and assignee.pk == user.pk:
        raise NotPermitted(_("不能给自己考评"), field="assignee")
    year = _year(year)
    if str(quarter) not in ("1", "2", "3", "4"):
        raise InvalidInput(_("季度必须是 1 到 4"), field="quarter")
    try:
        value = Decimal(str(score).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("得分必须是数字"), field="score") from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise InvalidInput(_("得分必须在 0 到 100 之间"), field="score")
    evaluation, _created = QuarterlyEvaluation.objects.update_or_create(
        assignee=assignee, year=year, quarter=int(quarter),
        defaults={"score": value, "comment": clean_text(comment, "comment", _("评语"), 300), "by": user})
    return evaluation


def cadre_summary(user: User | None, year: int) -> list[dict]:
    """Each cadre with tasks in the user's area this year: tasks done of total, and the four quarters' scores."""
    q = access.area_q(user)
    tasks = CadreTask.objects.filter(year=year)
    if q is not None:
        tasks = tasks.filter(q)
    rows = (tasks.values("assignee_id", "assignee__username", "assignee__real_name", "area__name")
            .annotate(total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False))).order_by("area__name", "assignee_id"))
    scores: dict[int, dict[int, Decimal]] = {}
    for e in QuarterlyEvaluation.objects.filter(year=year, assignee_id__in=[r["assignee_id"] for r in rows]):
        scores.setdefault(e.assignee_id, {})[e.quarter] = e.score
    return [{**r, "name": r["assignee__real_name"] or r["assignee__username"],
             "scores": [scores.get(r["assignee_id"], {}).get(quarter) for quarter in (1, 2, 3, 4)]} for r in rows]


def tasks_of(user: User | None) -> QuerySet[CadreTask]:
    return CadreTask.objects.filter(assignee=user).order_by("-year", "order") if user is not None else CadreTask.objects.none()
