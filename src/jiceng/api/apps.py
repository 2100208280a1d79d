from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """REST API (django-ninja), integration keys and Open311 GeoReport v2."""

    name = "jiceng.api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"
