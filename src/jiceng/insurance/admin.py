"""Admin: an office adds its own policy file (validated, versioned, never overwritten)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.models import Role
from jiceng.cases.errors import InvalidInput, NotPermitted

from . import services
from .models import OfficePolicy
from .selection import HOW_TO_ADD

MAX_POLICY_BYTES = 256 * 1024


class AddPolicyForm(forms.Form):
    """Upload a TOML file; the service validates it and decides the version."""

    policy_file = forms.FileField(label=_("policy file (TOML)"))
    supersede = forms.BooleanField(label=_("supersede the active policy of the same region and period"), required=False,
                                   help_text=_("The old version stays readable; who replaced it and when is recorded."))
    note = forms.CharField(label=_("note"), max_length=200, required=False,
                           help_text=_("Why this version, e.g. the document number."))


@admin.register(OfficePolicy)
class OfficePolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "effective_from", "effective_to", "version", "uploaded_by", "uploaded_via",
                    "uploaded_at", "superseded_at")
    list_filter = ("region",)
    fields = readonly_fields = ("region", "name", "effective_from", "effective_to", "version", "note", "uploaded_by",
                                "uploaded_via", "uploaded_at", "superseded_by", "superseded_at", "sha256", "toml")

    def has_change_permission(self, request: HttpRequest, obj: OfficePolicy | None = None) -> bool:
        return False  # a version is never edited; upload a new one

    def has_delete_permission(self, request: HttpRequest, obj: OfficePolicy | None = None) -> bool:
        return False  # old versions stay readable

    def has_view_permission(self, request: HttpRequest, obj: OfficePolicy | None = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and (request.user.is_superuser or request.user.role == Role.ADMIN))

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Upload form: every problem (bad file, a year already covered) shown on the form, nothing saved."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AddPolicyForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["policy_file"]
            try:
                if upload.size > MAX_POLICY_BYTES:
                    raise InvalidInput(_("The policy file is too large."), field="policy_file")
                row = services.do_add_policy(upload.read(), user=request.user, via="管理后台",
                                             supersede=form.cleaned_data["supersede"], note=form.cleaned_data["note"])
            except (InvalidInput, NotPermitted) as exc:
                form.add_error("supersede" if getattr(exc, "field", "") == "supersede" else "policy_file", exc.message)
            else:
                messages.success(request, _("Saved %(policy)s.") % {"policy": row})
                return redirect(reverse("admin:insurance_officepolicy_changelist"))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": _("Add a medical protection policy"), "how_to": HOW_TO_ADD, **(extra_context or {})}
        return TemplateResponse(request, "insurance/admin_add_policy.html", context)
