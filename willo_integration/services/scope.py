"""Where a request acts: a team's own Willo organisation, or one of an agency team's
child organisations, as one of that child's user relations; and a candidate a request
names, found in that scope."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from willo_integration.models import CachedParticipant, ChildOrganisation, ChildUserRelation
from willo_integration.services.clients import client_for_team
from willo_integration.services.errors import ParticipantNotFound

if TYPE_CHECKING:
    from dashboard.models import Team
    from willo_integration.client import WilloClient


@dataclass(frozen=True)
class Scope:
    """A team, and optionally a child organisation of it (an agency's client).

    ``key`` partitions the cache, webhooks and sync runs; ``agency_user_key`` is the
    relation sent as X-Agency-User-Key, needed only to call Willo.
    """

    team: Team
    child_key: str = ""  # "" = the team's own organisation
    agency_user_key: str = ""

    def __post_init__(self) -> None:
        if self.agency_user_key and not self.child_key:
            raise ValueError("An agency user key acts inside a child: name the child.")

    def __repr__(self) -> str:
        # Never the agency user key itself: with the team's key it opens the child.
        return f"<Scope team={self.team.slug!r} key={self.key!r}>"

    @property
    def key(self) -> str:
        """Stored on cache rows: "" for the team's own organisation, the child's key else."""
        return self.child_key

    @property
    def relation(self) -> str:
        """The relation's digest: what sessions and task arguments carry instead of it."""
        return relation_digest(self.agency_user_key) if self.agency_user_key else ""

    def client(self, *, retry: bool = False) -> WilloClient:
        if self.child_key and not self.agency_user_key:
            raise ValueError(f"{self!r} has no user relation to act inside the child as.")
        if not self.child_key and self.team.agency_checked_at is None and self.team.pk:
            # A team added without verification: learn once whether it is an agency.
            from willo_integration.services.agency import agency_detect

            agency_detect(self.team)
        return client_for_team(self.team, agency_user_key=self.agency_user_key or None, retry=retry)


def relation_digest(agency_user_key: str) -> str:
    return hashlib.sha256(agency_user_key.encode()).hexdigest()


class NotAChild(LookupError):
    """The child or relation is not one of this team's."""


@dataclass(frozen=True)
class ChildChoice:
    """A child organisation and the user relation to act inside it as."""

    child: ChildOrganisation
    relation: ChildUserRelation

    def scope(self) -> Scope:
        return Scope(
            team=self.child.team,
            child_key=self.child.key,
            agency_user_key=self.relation.key.reveal(),
        )


def child_choice(team: Team, child_key: str, relation: str = "") -> ChildChoice:
    """The team's child ``child_key`` and its relation whose digest is ``relation`` (""
    = the child's default relation); NotAChild if either is not the team's."""
    child = (
        team.child_organisations.filter(key=child_key).prefetch_related("relations").first()
        if child_key
        else None
    )
    if child is None:
        raise NotAChild(f"{child_key!r} is not a child organisation of {team.slug!r}.")
    child.team = team  # spare a query
    if relation:
        chosen = next((r for r in child.relations.all() if r.key_digest == relation), None)
    else:
        chosen = child.default_relation()
    if chosen is None:
        raise NotAChild(f"No such user relation in child {child_key!r} of {team.slug!r}.")
    return ChildChoice(child=child, relation=chosen)


def child_scope(team: Team, child_key: str, relation: str = "") -> Scope:
    """The scope ``child_key`` names: "" is the team's own organisation, else the child as
    ``relation`` (see child_choice)."""
    if not child_key:
        return Scope(team=team)
    return child_choice(team, child_key, relation).scope()


def scopes_of(team: Team) -> list[Scope]:
    """Every scope of the team: its own organisation, then each child as its default
    relation (for reconciliation and webhook registration)."""
    scopes = [Scope(team=team)]
    if team.is_parent:
        for child in team.child_organisations.prefetch_related("relations"):
            child.team = team
            relation = child.default_relation()
            if relation is not None:
                scopes.append(ChildChoice(child=child, relation=relation).scope())
    return scopes


def candidate_in_scope(scope: Scope, key: str) -> CachedParticipant:
    """The scope's candidate ``key`` as cached, never read from Willo (a decision, a review
    or a note does not wait for Willo); ParticipantNotFound if the scope has none such."""
    candidate = CachedParticipant.objects.filter(team=scope.team, scope=scope.key, key=key).first()
    if candidate is None:
        raise ParticipantNotFound("No such candidate here.")
    return candidate
