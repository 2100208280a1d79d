from django.contrib import admin

from .models import AlertCase, CaseLink, RouterModel


@admin.register(CaseLink)
class CaseLinkAdmin(admin.ModelAdmin):
    list_display = ("case", "original", "kind", "score", "created_by", "created_at")
    raw_id_fields = ("case", "original", "created_by")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AlertCase)
class AlertCaseAdmin(admin.ModelAdmin):
    list_display = ("case", "device_id", "alert_type", "count", "first_seen", "last_seen")
    raw_id_fields = ("case",)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RouterModel)
class RouterModelAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "meta")
    exclude = ("blob",)

    def has_change_permission(self, request, obj=None):
        return False
