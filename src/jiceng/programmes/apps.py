from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    """Programmes on the registry: pairing, visits and patrols, monitoring (结对帮扶、走访巡查、防返贫监测)."""

    name = "jiceng.programmes"
    verbose_name = _("帮扶与走访")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from jiceng.cases.models import Case
        from jiceng.people import access as people_access

        from . import access, monitoring

        # Helpers see their paired households in the registry (people sits below programmes).
        people_access.register_household_scope(access.paired_household_ids)
        # A monitoring case opened anywhere (the medical protection link included) attaches to the person and household.
        post_save.connect(monitoring.attach_case_on_create, sender=Case, weak=False, dispatch_uid="programmes-attach-case")
