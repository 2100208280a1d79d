from django.urls import path

from . import views

app_name = "insurance"

urlpatterns = [
    path("", views.index, name="index"),
    path("calc/", views.calc, name="calc"),
    path("roster-check/", views.roster, name="roster"),
    path("subsidy/", views.subsidy, name="subsidy"),
]
