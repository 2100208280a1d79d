from django.urls import path

from . import import_views

app_name = "registry"

urlpatterns = [
    path("import/", import_views.import_registry, name="import"),
]
