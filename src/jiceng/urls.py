from django.contrib import admin
from django.urls import include, path

from jiceng.api.main import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("open311/v2/", include("jiceng.api.urls")),
    path("insurance/", include("jiceng.insurance.urls")),
    path("triage/", include("jiceng.triage.urls")),
    path("stats/", include("jiceng.stats.urls")),
    path("cases/", include("jiceng.cases.urls")),
    path("people/", include("jiceng.people.urls")),
    path("programmes/", include("jiceng.programmes.urls")),
    path("notifications/", include("jiceng.notifications.urls")),
    path("access-log/", include("jiceng.accounts.urls")),
    path("", include("jiceng.web.urls")),
]
