"""Statistics tables: one fact row per case, a daily rollup, the refresh watermark, adopted themes.

Both fact and rollup are *derived*: ``rollups.refresh`` rebuilds them from the
case ledger (cases, their events, triage's repeat links) and ``jiceng stats
check`` compares them with a recount. Nothing here is part of a case's record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseFact(models.Model):
    """What the metrics need to know about one case, worked out from its events.

    The case belongs to the cohort of the (Asia/Shanghai) day it was received:
    every figure of a period is about the cases received in that period, as
    they stand at the last refresh (see docs/metrics.md).
    """

    case = models.OneToOneField("cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="stats_fact")
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    weekday = models.PositiveSmallIntegerField()  # 0 Monday … 6 Sunday
    area_id = models.CharField(max_length=12)
    category_id = models.BigIntegerField()
    top_category_id = models.BigIntegerField()
    unit_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=12)
    urgency = models.CharField(max_length=8)
    state = models.CharField(max_length=12)
    accepted = models.BooleanField(default=False)
    refused = models.BooleanField(default=False)
    merged = models.BooleanField(default=False)
    response_due = models.BooleanField(default=False)
    responded_on_time = models.BooleanField(default=False)
    resolved = models.BooleanField(default=False)  # a resolution stands now (resolved_level set)
    resolved_ever = models.BooleanField(default=False)
    resolved_on_time = models.BooleanField(default=False)
    resolved_level = models.CharField(max_length=12, blank=True)
    handling_seconds = models.BigIntegerField(null=True)  # working seconds from receipt to the standing resolution
    closed = models.BooleanField(default=False)
    rating = models.CharField(max_length=12, blank=True)
    reopened = models.BooleanField(default=False)
    repeat = models.BooleanField(default=False)
    went_overdue = models.BooleanField(default=False)
    supervised = models.BooleanField(default=False)
    supervise_replied = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["day", "area_id"], name="stats_fact_day_area"),
            models.Index(fields=["area_id", "day"], name="stats_fact_area_day"),
        ]


# The summed columns of the rollup, each the count of facts with that flag (or the sum of a number).
ROLLUP_COUNTS = (
    "intake", "accepted", "refused", "merged", "response_due", "responded_on_time", "resolved", "resolved_ever",
    "resolved_on_time", "resolved_village", "resolved_township", "resolved_county", "closed", "rated", "satisfied",
    "basic", "unsatisfied", "reopened", "repeats", "went_overdue", "supervised", "supervise_replied",
)


# Intake by Asia/Shanghai hour of receipt (h00 … h23): the dashboard's hour-of-day pattern from the rollup.
HOUR_COLUMNS = tuple(f"h{h:02d}" for h in range(24))


class DailyRollup(models.Model):
    """Counts of the cases received on one day in one village, of one category, now with one unit."""

    day = models.DateField()
    area_id = models.CharField(max_length=12)
    category_id = models.BigIntegerField()
    top_category_id = models.BigIntegerField()
    unit_id = models.BigIntegerField(null=True)
    intake = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    response_due = models.PositiveIntegerField(default=0)
    responded_on_time = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_ever = models.PositiveIntegerField(default=0)
    resolved_on_time = models.PositiveIntegerField(default=0)
    resolved_village = models.PositiveIntegerField(default=0)
    resolved_township = models.PositiveIntegerField(default=0)
    resolved_county = models.PositiveIntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basic = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    repeats = models.PositiveIntegerField(default=0)
    went_overdue = models.PositiveIntegerField(default=0)
    supervised = models.PositiveIntegerField(default=0)
    supervise_replied = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "area_id", "category_id", "unit_id"], name="stats_rollup_cell"),
        ]
        indexes = [models.Index(fields=["area_id", "day"], name="stats_rollup_area_day")]


for _hour in HOUR_COLUMNS:
    DailyRollup.add_to_class(_hour, models.PositiveIntegerField(default=0))


class Watermark(models.Model):
    """How far the incremental refresh has read the event log and the repeat links."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    event_id = models.BigIntegerField(default=0)
    link_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)


class Theme(models.Model):
    """A recurring problem (每月一题) a leader adopted as a tracked item (未诉先办)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Being tackled")
        DONE = "done", _("Finished")

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("village / community"))
    category = models.ForeignKey("cases.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category"))
    keyword = models.CharField(_("keyword"), max_length=40, blank=True)
    title = models.CharField(_("theme"), max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stats_themes", verbose_name=_("owner"))
    due = models.DateField(_("due date"))
    measures = models.TextField(_("measures"))
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="stats_themes", verbose_name=_("linked cases"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField(_("adopted at"))

    class Meta:
        ordering = ["-adopted_at"]
        verbose_name = _("adopted theme")
        verbose_name_plural = _("adopted themes")

    def __str__(self) -> str:
        return self.title
