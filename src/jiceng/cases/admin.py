"""Admin for the holiday table, routing overrides and the (read-only) personal-data access log."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from . import sla

from .models import RoutingRule, UnlocatedReport, WorkdayOverride


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("day", "name", "is_workday")
    list_filter = ("is_workday",)
    date_hierarchy = "day"
    search_fields = ("name",)

    def changelist_view(self, request, extra_context=None):
        # The administrator who keeps the table is the one who must see the gap.
        if warning := sla.coverage_warning(timezone.localdate()):
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Overrides of a category's default routing: category × area prefix × tier → unit."""

    list_display = ("category", "area_prefix", "level", "unit")
    list_filter = ("level", "category")
    search_fields = ("area_prefix", "unit__name", "category__name")
    list_select_related = ("category", "unit")


@admin.register(UnlocatedReport)
class UnlocatedReportAdmin(admin.ModelAdmin):
    """Read only: dispatchers place reports from the 待定位 page (/cases/unlocated/)."""

    list_display = ("token", "county_code", "category", "title", "received_at", "status", "case")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
