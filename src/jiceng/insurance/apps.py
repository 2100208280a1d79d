from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuranceConfig(AppConfig):
    """Django shell around the pure-Python engine: CLI, web form, API, risk link."""

    name = "jiceng.insurance"
    verbose_name = _("Medical protection")
    default_auto_field = "django.db.models.BigAutoField"
