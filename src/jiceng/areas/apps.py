from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "jiceng.areas"
    verbose_name = _("Areas, grids and units")

    def ready(self) -> None:
        # Saving or deleting an area, grid or landmark invalidates this process's
        # spatial and name index (jiceng.areas.geo); other processes see GeoStamp.
        from django.db.models.signals import post_delete, post_save

        from . import geo
        from .models import Area, Grid, Landmark

        for model in (Area, Grid, Landmark):
            post_save.connect(geo.note_local_change, sender=model, dispatch_uid=f"geo-{model.__name__}-save")
            post_delete.connect(geo.note_local_change, sender=model, dispatch_uid=f"geo-{model.__name__}-delete")
