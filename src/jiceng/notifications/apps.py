from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The inbox and the outbox (SMS, WeChat, e-mail) for case events (通知)."""

    name = "jiceng.notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jiceng.cases.signals import event_committed
        from jiceng.cases.tick import ticked

        from . import events, outbox

        # The case engine announces committed events; it does not know who listens.
        event_committed.connect(events.on_event_committed, weak=False, dispatch_uid="notifications-case-event")

        def sweep(sender=None, now=None, **kwargs):
            return outbox.sweep(now)

        ticked.connect(sweep, weak=False, dispatch_uid="notifications-sweep")
