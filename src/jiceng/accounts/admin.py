from django.contrib import admin

from .models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence, nobody edits or deletes it here."""

    list_display = ("at", "user", "case", "purpose")
    list_filter = ("purpose",)
    search_fields = ("user__username", "case__number", "purpose")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
