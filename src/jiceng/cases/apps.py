from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jiceng.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import sla
        from .models import WorkdayOverride

        def forget(**kwargs) -> None:
            sla.forget_overrides()  # an edited holiday table takes effect at once in this process

        post_save.connect(forget, sender=WorkdayOverride, weak=False, dispatch_uid="sla-forget-save")
        post_delete.connect(forget, sender=WorkdayOverride, weak=False, dispatch_uid="sla-forget-delete")
