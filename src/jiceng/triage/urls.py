from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("cases/<str:number>/panel/", views.case_panel, name="case_panel"),
    path("cases/<str:number>/link/", views.link_repeat, name="link_repeat"),
    path("suggest/", views.suggest, name="suggest"),
    path("callers/", views.frequent_callers, name="callers"),
]
