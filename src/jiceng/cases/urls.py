from django.urls import path

from . import print_views, submit_views, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", submit_views.case_new, name="new"),
    path("new/fields/", submit_views.category_fields, name="category_fields"),
    path("new/grids/", submit_views.village_grids, name="village_grids"),
    path("new/locate/", submit_views.locate, name="locate"),
    path("new/map.json", submit_views.village_map, name="village_map"),
    path("<str:number>/receipt/", print_views.receipt, name="receipt"),
    path("<str:number>/completion-slip/", print_views.completion_slip, name="completion_slip"),
    path("unlocated/", views.unlocated, name="unlocated"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/act/<str:action>/", views.case_act, name="act"),
    path("<str:number>/files/<int:pk>/", views.attachment, name="attachment"),
]
