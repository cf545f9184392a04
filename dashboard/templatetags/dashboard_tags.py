"""Template tags for the page header."""

from __future__ import annotations

from django import template

from dashboard.permissions import teams_of
from dashboard.views.session import CURRENT_TEAM_SESSION_KEY

register = template.Library()


@register.simple_tag(takes_context=True)
def team_switcher(context) -> dict:
    """The requester's teams and the current one, for the team switcher."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"teams": [], "current": None}
    teams = list(teams_of(request.user).only("name", "slug"))
    current_slug = request.session.get(CURRENT_TEAM_SESSION_KEY)
    current = next((t for t in teams if t.slug == current_slug), None)
    return {"teams": teams, "current": current}
