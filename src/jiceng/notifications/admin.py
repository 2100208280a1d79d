from django.contrib import admin

from .models import Contact, Delivery, DeliveryAttempt, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username"]
    raw_id_fields = ["recipient", "case", "event"]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    readonly_fields = ["number", "at", "ok", "detail", "duration_ms"]
    can_delete = False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "subject", "state", "attempts", "next_attempt_at"]
    list_filter = ["channel", "state"]
    readonly_fields = ["notification", "attempts", "last_error", "sent_at", "claimed_at"]
    inlines = [AttemptInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Where a person takes SMS, WeChat (openid) and e-mail; an inactive row turns the channel off for them."""

    list_display = ["user", "channel", "active"]
    list_filter = ["channel", "active"]
    raw_id_fields = ["user"]
