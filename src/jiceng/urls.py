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
    path("registry/", include("jiceng.accounts.registry_urls")),
    path("", include("jiceng.web.urls")),
]

# Error pages inside the site frame, in the user's language (jiceng.web.error_views).
handler403 = "jiceng.web.error_views.permission_denied"
handler404 = "jiceng.web.error_views.page_not_found"
handler500 = "jiceng.web.error_views.server_error"
