from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_new, name="new"),
    path("import/", views.roster_import, name="import"),
    path("merge/", views.merge, name="merge"),
    path("tags/", views.tag_history, name="tags"),
    path("households/", views.household_list, name="households"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/members/", views.household_member, name="household_member"),
    path("<int:pk>/", views.person_detail, name="person"),
    path("<int:pk>/tags/", views.person_tag, name="person_tag"),
    path("<int:pk>/tags/<int:tag_id>/end/", views.person_end_tag, name="person_end_tag"),
]
