from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """The registry of people, households and their tags (人口、家庭、标签)."""

    name = "jiceng.people"
    verbose_name = _("人口与家庭")
    default_auto_field = "django.db.models.BigAutoField"
