from django.contrib import admin

from .models import AlertCase, CaseLink, Device, QueuedAlert, RouterModel


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


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    """Read and deactivate here; register with `jiceng device add` or POST /api/v1/devices (takes queued alerts in)."""

    list_display = ("device_id", "name", "kind", "area", "site", "active", "registered_at")
    list_filter = ("kind", "active")
    search_fields = ("device_id", "name", "site")
    readonly_fields = ("device_id", "area", "registered_at", "registered_by")

    def has_add_permission(self, request):
        return False


@admin.register(QueuedAlert)
class QueuedAlertAdmin(admin.ModelAdmin):
    list_display = ("device_id", "alert_type", "category_code", "claimed_at", "received_at", "status")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
