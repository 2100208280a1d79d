from django.urls import path

from . import submit_views, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", submit_views.case_new, name="new"),
    path("new/fields/", submit_views.category_fields, name="category_fields"),
    path("new/grids/", submit_views.village_grids, name="village_grids"),
    path("unlocated/", views.unlocated, name="unlocated"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/act/<str:action>/", views.case_act, name="act"),
]
