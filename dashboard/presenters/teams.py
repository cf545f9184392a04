"""What the team page shows: its members and its sync panel."""

from __future__ import annotations

from dashboard.models import Membership
from dashboard.permissions import members_of
from willo_integration.services.scope import Scope
from willo_integration.services.sync import sync_latest


def team_page_context(scope: Scope, membership: Membership, *, notice: str = "") -> dict:
    """The team page; ``notice`` is shown in its sync panel."""
    team = membership.team
    context = {"membership": membership, "team": team, "members": members_of(team)}
    return context | sync_context(scope, membership, notice=notice)


def sync_context(scope: Scope, membership: Membership, *, notice: str = "") -> dict:
    """What the team page's sync panel shows: the scope's latest sync run."""
    return {
        "team": scope.team,
        "run": sync_latest(scope=scope),
        "can_sync": membership.has_role("admin"),
        "notice": notice,
    }
