from django.contrib.auth import views as auth_views
from django.urls import include, path

from jiceng.cases import board_views
from jiceng.cases import views as case_views

from . import shell_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/bulk/", views.bulk, name="workbench_bulk"),
    path("workbench/overview/", views.overview, name="workbench_overview"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("track/", case_views.track, name="track"),
    path("board/", board_views.board_page, name="board"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", shell_views.favicon, name="favicon"),
]
