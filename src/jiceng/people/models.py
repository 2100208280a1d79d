"""The registry of people: persons, households and tags with their history.

A person is one row per citizen ID number (GB 11643). Households group people
with their relationship to the head. Tags (低保, 特困, 独居老人 …) are periods
with a source, never overwritten: ending a tag sets its end date, so "who was
低保 on 2026-03-01" is one indexed range query over :class:`PersonTag`.

The ID number and phone are read and written only through
:mod:`jiceng.people.identity` (the one place that changes when they are
stored encrypted).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.sealed import BlindIndexField, SealedCharField


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Person(models.Model):
    """One resident. ``id_number`` is unique among people that have one.

    ``merged_into`` points from a duplicate found later to the person it was
    merged into; the duplicate's row stays (with its own history), so imports
    of its ID number still find the surviving person.
    """

    # Encrypted at rest (jiceng.sealed); found through the keyed hash beside it.
    id_number = SealedCharField(_("身份证号码"), max_length=18, blank=True, default="")
    id_number_index = BlindIndexField(source="id_number", scope="id_number")
    name = models.CharField(_("姓名"), max_length=32)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = SealedCharField(_("联系电话"), max_length=20, blank=True, default="")
    phone_index = BlindIndexField(source="phone", scope="phone")
    address = models.CharField(_("住址"), max_length=200, blank=True)
    area = models.ForeignKey("areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    grid = models.ForeignKey("areas.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("网格"))
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_people",
                                    verbose_name=_("已合并到"), db_index=False)  # partial index below: almost every row is NULL
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            # One row per ID number, held on the keyed hash (a ciphertext differs each time it is written).
            models.UniqueConstraint(fields=["id_number_index"], condition=~Q(id_number_index=""), name="person_one_row_per_id_number"),
        ]
        indexes = [
            # Lists scoped to an area subtree or a grid, newest first (keyset on id).
            models.Index(fields=["area", "id"], name="person_area_id"),
            models.Index(fields=["grid", "id"], name="person_grid_id"),
            models.Index(fields=["name"], name="person_name"),
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="person_merged_into"),
        ]

    def __str__(self) -> str:
        return self.name


class Relationship(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER = "other", _("其他")


class Household(models.Model):
    """A household (户): its number, address, grid and head."""

    number = models.CharField(_("户编号"), max_length=32, unique=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("村（社区）"))
    grid = models.ForeignKey("areas.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("网格"))
    head = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("户主"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")
        indexes = [
            models.Index(fields=["area", "id"], name="household_area_id"),
            models.Index(fields=["grid", "id"], name="household_grid_id"),
        ]

    def __str__(self) -> str:
        return self.number


class Membership(models.Model):
    """A person in a household from ``joined`` until ``left`` (None: still a member). One current household per person."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("家庭户"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("人员"))
    relationship = models.CharField(_("与户主关系"), max_length=16, choices=Relationship.choices, default=Relationship.OTHER)
    joined = models.DateField(_("入户日期"))
    left = models.DateField(_("离户日期"), null=True, blank=True)

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(left__isnull=True), name="membership_one_current_household"),
        ]


class TagKind(models.Model):
    """A kind of tag: 低保, 特困, 防返贫监测对象 … ``risk_types`` lists the risk types a tag of this kind may carry."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    risk_types = models.JSONField(_("风险类型"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("标签类别")
        verbose_name_plural = _("标签类别")

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    """A tag held from ``valid_from`` (inclusive) until ``valid_to`` (exclusive; None: still held).

    Rows are never deleted: ending a tag sets ``valid_to`` and who ended it, so
    the history answers "who held this tag on a date". ``source`` names the
    list the tag came from (a 民政 roster file, a visit, a person's entry).
    """

    # Both covered by the composite indexes below (each leads one of them).
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="tags", verbose_name=_("人员"), db_index=False)
    kind = models.ForeignKey(TagKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("标签"), db_index=False)
    risk_type = models.CharField(_("风险类型"), max_length=16, blank=True)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("设置人"))
    set_at = models.DateTimeField(_("设置时间"), auto_now_add=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("终止人"))
    end_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    merged_from = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("合并自"))

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("人员标签")
        verbose_name_plural = _("人员标签")
        indexes = [
            # "Who held kind K on day D": kind = K AND valid_from <= D AND (valid_to > D OR valid_to IS NULL).
            models.Index(fields=["kind", "valid_from", "valid_to"], name="persontag_kind_period"),
            models.Index(fields=["person", "kind", "valid_from"], name="persontag_person_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                                   name="persontag_period_not_empty"),
        ]


class MergeRecord(models.Model):
    """A duplicate merged into a surviving person: who did it, when, and the duplicate's details as they were."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("保留人员"))
    duplicate = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("被合并人员"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("合并时间"), auto_now_add=True)
    reason = models.CharField(_("原因"), max_length=200)
    snapshot = models.JSONField(_("合并前信息"), default=dict)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("人员合并记录")
        verbose_name_plural = _("人员合并记录")
