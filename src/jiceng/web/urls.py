from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/new/fields/", views.category_fields, name="category_fields"),
    path("cases/new/grids/", views.village_grids, name="village_grids"),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
    path("cases/<str:number>/act/<str:action>/", views.case_act, name="case_act"),
    path("track/", views.track, name="track"),
    path("i18n/", include("django.conf.urls.i18n")),
]
