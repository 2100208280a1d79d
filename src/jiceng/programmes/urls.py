from django.urls import path

from . import views, views_targets_points

app_name = "programmes"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("pairings/", views.pairings, name="pairings"),
    path("pairings/<int:pk>/duty/", views.pairing_duty, name="pairing_duty"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("unpaired/", views.unpaired, name="unpaired"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("overdue/", views.overdue, name="overdue"),
    path("targets/<int:pk>/visit/", views.visit_new, name="visit_new"),
    path("visits/", views.visits, name="visits"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/case/", views.visit_case, name="visit_case"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("monitoring/<int:pk>/", views.monitored_detail, name="monitored"),
    path("targets/", views_targets_points.targets, name="targets"),
    path("targets/<int:pk>/", views_targets_points.target_detail, name="target"),
    path("points/", views_targets_points.points, name="points"),
    path("cadres/", views_targets_points.cadres, name="cadres"),
    path("tasks/<int:pk>/done/", views_targets_points.my_task_done, name="task_done"),
]
