from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("", views.index, name="index"),
    path("ledgers/<str:kind>/", views.ledger, name="ledger"),
    path("reports/", views.report, name="report"),
    path("themes/", views.themes, name="themes"),
    path("themes/adopt/", views.adopt_theme, name="adopt_theme"),
    path("themes/<int:pk>/", views.theme_detail, name="theme"),
]
