from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.access_log, name="access_log"),
]
