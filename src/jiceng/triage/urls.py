from django.urls import path

from . import views

urlpatterns = [
    path("cases/<str:number>/panel/", views.case_panel, name="triage_case_panel"),
    path("cases/<str:number>/link/", views.link_repeat, name="triage_link_repeat"),
    path("suggest/", views.suggest, name="triage_suggest"),
    path("callers/", views.frequent_callers, name="triage_callers"),
]
