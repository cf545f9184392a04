"""Session keys shared by the views."""

CURRENT_TEAM_SESSION_KEY = "dashboard_current_team"
