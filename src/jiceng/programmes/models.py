"""Programmes run on the registry: pairing (结对帮扶 / 党员包户), visit and patrol plans with their
visits, and 防返贫动态监测 (monitored households, income per year, measures, exit).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng import filestore

# The seven duties of 党员包户 (seed 000: 梧山里村 "党员包户137责任制").
PARTY_MEMBER_DUTIES = ["守法", "尚德", "提能", "勤劳", "清洁", "和睦", "教育"]


class PairingScheme(models.Model):
    """A kind of pairing: how many households one helper may take and the duties of each pairing."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    limit = models.PositiveSmallIntegerField(_("每人结对户数上限"), default=3)
    duties = models.JSONField(_("职责清单"), default=list, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("结对方案")
        verbose_name_plural = _("结对方案")

    def __str__(self) -> str:
        return self.name


class Pairing(models.Model):
    """A helper paired with a household under a scheme, from ``started`` until ``ended``.

    ``duties_done`` maps each duty of the scheme to the date it was last
    recorded as done (the checklist).
    """

    scheme = models.ForeignKey(PairingScheme, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("结对方案"))
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("帮扶人"))
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="pairings", verbose_name=_("结对户"))
    started = models.DateField(_("结对日期"))
    ended = models.DateField(_("解除日期"), null=True, blank=True)
    end_reason = models.CharField(_("解除原因"), max_length=200, blank=True)
    duties_done = models.JSONField(_("职责完成情况"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))

    class Meta:
        ordering = ["-started", "-id"]
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "household"], condition=Q(ended__isnull=True), name="pairing_one_helper_per_scheme"),
        ]
        indexes = [
            models.Index(fields=["helper", "ended"], name="pairing_helper_ended"),
            models.Index(fields=["household", "ended"], name="pairing_household_ended"),
        ]


class PlanKind(models.TextChoices):
    PATROL = "patrol", _("巡查")
    VISIT = "visit", _("走访")
    CAMPAIGN = "campaign", _("专项行动")


class VisitPlan(models.Model):
    """Who visits or patrols what, how often: every ``interval_days`` days, or once by ``due`` (a campaign)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=PlanKind.choices)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    interval_days = models.PositiveSmallIntegerField(_("周期（天）"), null=True, blank=True)
    starts = models.DateField(_("开始日期"))
    due = models.DateField(_("完成期限"), null=True, blank=True)
    tag_kind = models.ForeignKey("people.TagKind", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("对象标签"))
    description = models.TextField(_("工作要求"), blank=True)
    active = models.BooleanField(_("进行中"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("制定人"))
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)

    class Meta:
        ordering = ["-starts", "-id"]
        verbose_name = _("走访巡查计划")
        verbose_name_plural = _("走访巡查计划")

    def __str__(self) -> str:
        return self.name


class PlanTarget(models.Model):
    """One thing a plan has someone visit (a household) or patrol (a grid), with the next due date.

    ``next_due`` is kept on the row (moved on by each visit) so "overdue for
    this worker" is one index range, however many visits there were.
    ``next_due`` None: done (a one-off target that was visited).
    """

    plan = models.ForeignKey(VisitPlan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("计划"))
    household = models.ForeignKey("people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("走访户"))
    grid = models.ForeignKey("areas.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("巡查网格"))
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_targets",
                                 verbose_name=_("责任人"))
    next_due = models.DateField(_("下次应访日期"), null=True, blank=True)
    last_visit_at = models.DateTimeField(_("最近走访"), null=True, blank=True)
    visits = models.PositiveIntegerField(_("走访次数"), default=0)

    class Meta:
        ordering = ["next_due", "id"]
        verbose_name = _("走访对象")
        verbose_name_plural = _("走访对象")
        indexes = [
            models.Index(fields=["assignee", "next_due"], name="plantarget_assignee_due"),
            models.Index(fields=["area", "next_due"], name="plantarget_area_due"),
        ]


class Visit(models.Model):
    """A visit or patrol as logged from the phone form."""

    target = models.ForeignKey(PlanTarget, null=True, blank=True, on_delete=models.PROTECT, related_name="visit_log",
                               verbose_name=_("走访对象"))
    household = models.ForeignKey("people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="visits",
                                  verbose_name=_("走访户"))
    grid = models.ForeignKey("areas.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("走访人"))
    at = models.DateTimeField(_("走访时间"))
    findings = models.TextField(_("发现情况"), blank=True)
    needs_action = models.BooleanField(_("需要处置"), default=False)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("转办工单"))
    logged_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        indexes = [
            models.Index(fields=["household", "at"], name="visit_household_at"),
            models.Index(fields=["area", "at"], name="visit_area_at"),
            models.Index(fields=["by", "at"], name="visit_by_at"),
        ]


class VisitPhoto(models.Model):
    """A photo taken on a visit, stored content-addressed under MEDIA_ROOT/visits/."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    @property
    def storage_name(self) -> str:
        return filestore.storage_name(self.sha256, "visits")


class MonitoringStatus(models.TextChoices):
    MONITORED = "monitored", _("监测中")
    EXITED = "exited", _("已消除风险")


class MonitoredHousehold(models.Model):
    """A household under 防返贫动态监测: its risk types, and the exit once the risk is removed (date and evidence)."""

    household = models.OneToOneField("people.Household", on_delete=models.PROTECT, related_name="monitoring", verbose_name=_("监测户"))
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    risk_types = models.JSONField(_("风险类型"), default=list)
    status = models.CharField(_("状态"), max_length=12, choices=MonitoringStatus.choices, default=MonitoringStatus.MONITORED)
    identified_on = models.DateField(_("纳入日期"))
    exited_on = models.DateField(_("风险消除日期"), null=True, blank=True)
    exit_evidence = models.TextField(_("风险消除依据"), blank=True)
    exited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("认定人"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))

    class Meta:
        ordering = ["-identified_on", "-id"]
        verbose_name = _("监测户")
        verbose_name_plural = _("监测户")
        indexes = [models.Index(fields=["area", "status"], name="monitored_area_status")]


class IncomeRecord(models.Model):
    """A monitored household's income of one year (家庭年人均纯收入)."""

    monitored = models.ForeignKey(MonitoredHousehold, on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("年度"))
    total = models.DecimalField(_("家庭年纯收入（元）"), max_digits=12, decimal_places=2)
    members = models.PositiveSmallIntegerField(_("家庭人口"))
    per_capita = models.DecimalField(_("年人均纯收入（元）"), max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["monitored", "year"], name="income_one_per_year")]


class Measure(models.Model):
    """An assistance measure taken for a monitored household (产业、就业、医疗、教育、兜底 …)."""

    monitored = models.ForeignKey(MonitoredHousehold, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("措施类别"), max_length=16)
    description = models.CharField(_("措施内容"), max_length=300)
    on = models.DateField(_("落实日期"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))

    class Meta:
        ordering = ["-on", "-id"]


class CaseLink(models.Model):
    """A case about a person or household of the registry (a monitoring alert, a visit finding, the medical link)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("people.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="case_links")
    source = models.CharField(max_length=16)  # visit | income | medical | other
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-linked_at"]
        constraints = [models.UniqueConstraint(fields=["case"], name="caselink_one_per_case")]


# --- targets (督查督办) --------------------------------------------------------------------

class Target(models.Model):
    """A named target with a planned quantity over a period, shared out to areas (e.g. 两癌筛查 1,000,000 women)."""

    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("计量单位"), max_length=16, default="人")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    starts = models.DateField(_("开始日期"))
    ends = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("下达人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts", "-id"]
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")

    def __str__(self) -> str:
        return self.name


class TargetShare(models.Model):
    """The part of a target an area must reach."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="shares")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区域"))
    planned = models.DecimalField(_("计划数"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["area_id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "area"], name="targetshare_one_per_area"),
            models.CheckConstraint(condition=Q(planned__gt=0), name="targetshare_planned_positive"),
        ]


class ProgressReport(models.Model):
    """A progress report of an area: a quantity done (added to the total) and optionally the funds used."""

    share = models.ForeignKey(TargetShare, on_delete=models.PROTECT, related_name="reports")
    quantity = models.DecimalField(_("完成数"), max_digits=14, decimal_places=2)
    funds_used = models.DecimalField(_("资金使用（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    reported_on = models.DateField(_("报告日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告人"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-id"]


# --- volunteer points (志愿服务积分) ---------------------------------------------------------

class Activity(models.Model):
    """A volunteer activity people sign up for and check in at; check-in grants ``points``."""

    name = models.CharField(_("活动名称"), max_length=100)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    on = models.DateField(_("活动日期"))
    points = models.PositiveIntegerField(_("积分"))
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="signup_once_per_activity")]


class PointsAccount(models.Model):
    """A person's points: the balance is the sum of the ledger, kept here under a row lock and never below zero."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="points_account")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    balance = models.IntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_never_negative")]


class PointsEntry(models.Model):
    """One line of the append-only ledger: a grant (positive) or a redemption (negative), with the balance after it."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries")
    delta = models.IntegerField()
    balance_after = models.IntegerField()
    reason = models.CharField(max_length=100)
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reward = models.ForeignKey("Reward", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="points_entry_balance_never_negative"),
            models.UniqueConstraint(fields=["account", "activity"], condition=Q(activity__isnull=False), name="points_once_per_activity"),
        ]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("积分流水只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("积分流水只能追加，不能删除")


class Reward(models.Model):
    """An item of the points store (积分超市) with its cost and stock."""

    name = models.CharField(_("名称"), max_length=64)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围"))
    cost = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("库存"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["cost", "id"]
        constraints = [models.CheckConstraint(condition=Q(cost__gt=0), name="reward_cost_positive")]


class StarRating(models.Model):
    """A household's 五星级文明户 rating of a year: the criteria met, the stars, and who rated."""

    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="star_ratings")
    year = models.PositiveSmallIntegerField()
    criteria = models.JSONField(default=list)
    stars = models.PositiveSmallIntegerField()
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="star_rating_once_a_year")]


class CadreTask(models.Model):
    """One task of a cadre's list for a year (e.g. a first secretary's 13 tasks), done on a date."""

    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cadre_tasks", verbose_name=_("责任人"))
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("驻点"))
    year = models.PositiveSmallIntegerField(_("年度"))
    order = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("任务"), max_length=200)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("完成情况"), max_length=300, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("下达人"))

    class Meta:
        ordering = ["assignee_id", "year", "order"]
        constraints = [models.UniqueConstraint(fields=["assignee", "year", "order"], name="cadretask_order_unique")]


class QuarterlyEvaluation(models.Model):
    """A cadre's evaluation score (0–100) for a quarter, with who evaluated."""

    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("被考评人"))
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("考评人"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["assignee", "year", "quarter"], name="evaluation_once_a_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="evaluation_quarter_1_to_4"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="evaluation_score_0_to_100"),
        ]
