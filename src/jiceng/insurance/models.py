"""Policies added by an office (the shipped ones are files in ``policies/``).

A policy is never overwritten: adding a policy for a region and period that an
active one already covers needs an explicit "supersede", and then the old row
stays (readable, with who superseded it and when) and the new row gets the
next version number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficePolicy(models.Model):
    """One version of a policy file uploaded by an office."""

    region = models.CharField(_("region code"), max_length=12, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"))
    version = models.PositiveIntegerField(_("version"))
    toml = models.TextField(_("policy file (TOML)"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_via = models.CharField(_("uploaded via"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes",
                                      verbose_name=_("superseded by"))
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("medical protection policy")
        verbose_name_plural = _("medical protection policies")
        ordering = ["region", "-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "effective_from", "version"], name="insurance_policy_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"

    @property
    def policy_id(self) -> str:
        """The id used by forms, the CLI and the API: ``office-<pk>``."""
        return f"office-{self.pk}"

    @property
    def active(self) -> bool:
        return self.superseded_at is None


class RiskCaseLink(models.Model):
    """The 因病返贫风险 case of one person-year, and who ran the check that opened it.

    One row per person-year (the person reference is hashed), so the case is
    opened once whoever runs the calculation and however often.
    """

    key = models.CharField(max_length=80, unique=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
