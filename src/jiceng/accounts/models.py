"""Users, their role and the scope they act in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    VILLAGE_STAFF = "village_staff", _("Village / community staff")
    TOWNSHIP_STAFF = "township_staff", _("Township staff")
    COUNTY_HANDLER = "county_handler", _("County department handler")
    # 区社会治理中心 / 12345 分中心: accepts, dispatches, closes and return-visits county-level cases
    DISPATCH_CENTRE = "dispatch_centre", _("County dispatch centre")
    SUPERVISOR = "supervisor", _("Leader / supervisor")
    AUDITOR = "auditor", _("Auditor (read-only)")
    ADMIN = "admin", _("Administrator")
    INTEGRATION = "integration", _("Integration (hotline, cameras, sensors)")


class User(AbstractUser):
    """A person or system that uses jiceng.

    ``scope_area`` is the subtree the user works in; ``units`` are the
    responsible units whose cases the user handles.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    real_name = models.CharField(_("real name"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    scope_area = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("scope area")
    )
    units = models.ManyToManyField("areas.Unit", blank=True, related_name="members", verbose_name=_("units"))

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.username


class PersonalDataAccess(models.Model):
    """A record that someone viewed unmasked personal data: a case's reporter, or a person of the registry."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    purpose = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
