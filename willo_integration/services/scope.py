"""Where a request acts: a team, and (issue 7) a child organisation of an agency team."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from willo_integration.services.clients import client_for_team

if TYPE_CHECKING:
    from django.http import HttpRequest

    from dashboard.models import Membership, Team
    from willo_integration.client import WilloClient


@dataclass(frozen=True)
class Scope:
    """Where a request acts: a team, and later (issue 7) a child organisation of an agency team."""

    team: Team
    agency_user_key: str = ""  # "" = the team's own Willo organisation

    def __repr__(self) -> str:
        # Never the agency user key itself: it grants access to the child organisation.
        return f"<Scope team={self.team.slug!r} key={self.key!r}>"

    @property
    def key(self) -> str:
        """Stored on cache rows: "" for the team's own organisation, a digest otherwise."""
        if not self.agency_user_key:
            return ""
        return hashlib.sha256(self.agency_user_key.encode()).hexdigest()[:16]

    def client(self, *, retry: bool = False) -> WilloClient:
        return client_for_team(self.team, agency_user_key=self.agency_user_key or None, retry=retry)


def scope_for_request(request: HttpRequest, membership: Membership) -> Scope:
    """The scope a request acts in; today always the team's own organisation."""
    return Scope(team=membership.team)
