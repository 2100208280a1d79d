"""API keys in the admin: created through the same action as the CLI; shown once."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.models import Role
from jiceng.cases.errors import CaseError

from .keys import do_create_api_key
from .models import ApiKey


class ApiKeyCreateForm(forms.ModelForm):
    area = forms.CharField(label=_("area code"), max_length=12, required=False, help_text=_("12-digit code the key is scoped to"))
    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.INTEGRATION)

    class Meta:
        model = ApiKey
        fields = ["name"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "key_hint", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "key_hint", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "area", "role"]
        return ["name", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            key, raw = do_create_api_key(form.cleaned_data["name"], area_code=form.cleaned_data.get("area") or None, role=form.cleaned_data["role"])
        except CaseError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = key.pk
        messages.warning(request, _("The new key is %(key)s — copy it now; it is not shown again.") % {"key": raw})

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
