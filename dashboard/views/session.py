"""Session keys shared by the views."""

CURRENT_TEAM_SESSION_KEY = "dashboard_current_team"
# {team slug: {"child": child organisation key, "relation": relation digest}}
AGENCY_SCOPE_SESSION_KEY = "dashboard_agency_scope"
