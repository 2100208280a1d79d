from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("insurance/", include("jiceng.insurance.urls")),
    path("", include("jiceng.web.urls")),
]
