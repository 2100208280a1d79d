from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Statistics leaders act on: metrics, rollups, dashboard, ledgers, reports, recurring themes."""

    name = "jiceng.stats"
    verbose_name = _("Statistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - refreshes the rollups on every tick
