"""The recruiter-facing pages, under the ``dashboard:`` namespace."""

from django.urls import path

from dashboard.views import teams

app_name = "dashboard"

urlpatterns = [
    path("", teams.home, name="home"),
    path("teams/", teams.team_list, name="team_list"),
    path("teams/switch/", teams.team_switch, name="team_switch"),
    path("teams/<slug:slug>/", teams.team_detail, name="team_detail"),
]
