"""Agency teams: their child organisations (listed, detected, created) and the cockpit
counts per child read from the cache. Acting inside a child is the Scope's (scope.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from dashboard.crypto import KeyDecryptionError
from dashboard.models import MissingAPIKeyError, Team
from willo_integration import schemas
from willo_integration.client import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    WilloError,
)
from willo_integration.models import (
    CachedInterview,
    CachedParticipant,
    ChildOrganisation,
    ChildUserRelation,
)
from willo_integration.services.clients import client_for_team
from willo_integration.services.reads import Budget, read_shared
from willo_integration.services.scope import Scope, relation_digest

logger = logging.getLogger("willo_integration.agency")

NEW_RESPONSE_DAYS = 7


def children_refresh(team: Team) -> list[ChildOrganisation]:
    """List the team's children in Willo and store them. A 403/404 means the organisation
    is not a parent: the team is marked so and has no children. Other Willo failures
    propagate (the caller shows them)."""
    try:
        with Scope(team=team).client(retry=True) as willo:
            children = willo.children.list()
    except (PermissionDeniedError, NotFoundError):
        _mark_parent(team, False)
        children = []
    else:
        _mark_parent(team, True)
    return children_store(team, children)


def agency_detect(team: Team) -> bool | None:
    """Whether the team's organisation is a parent (agency), asked of Willo once for a team
    never checked (as verification does); the answer and its children are recorded.
    None when Willo gave no answer either way (asked again on the next use)."""
    claimed = Team.objects.filter(pk=team.pk, agency_checked_at__isnull=True).update(
        agency_checked_at=timezone.now()
    )
    team.agency_checked_at = team.agency_checked_at or timezone.now()
    if not claimed:  # another request asked already
        return None
    try:
        with client_for_team(team, retry=False) as willo:
            children = willo.children.list()
    except (PermissionDeniedError, NotFoundError):
        _mark_parent(team, False)
        children_store(team, [])
        logger.info("team %s: a single organisation (not an agency)", team.slug)
        return False
    except (WilloError, KeyDecryptionError, MissingAPIKeyError) as exc:
        # No answer (or the key refused): forget the claim, so the next use asks again.
        Team.objects.filter(pk=team.pk).update(agency_checked_at=None)
        team.agency_checked_at = None
        level = logging.INFO if isinstance(exc, AuthenticationError) else logging.WARNING
        logger.log(level, "team %s: agency detection failed: %s", team.slug, type(exc).__name__)
        return None
    _mark_parent(team, True)
    children_store(team, children)
    logger.info("team %s: an agency with %d child organisations", team.slug, len(children))
    return True


def children_refresh_shared(team: Team, *, budget: Budget | None = None) -> None:
    """A member's "read the children again": shares a read in flight or done within
    WILLO_REFRESH_COALESCE_SECONDS; ``budget`` is spent only when Willo is read."""
    read_shared(
        scope=Scope(team=team),
        what="children",
        key="",
        read=lambda: len(children_refresh(team)),
        budget=budget,
    )


def children_listed(team: Team) -> bool:
    """Whether any of the team's children are stored here (else: never listed from Willo)."""
    return team.child_organisations.exists()


def children_store(
    team: Team, children: list[schemas.ChildOrganisation]
) -> list[ChildOrganisation]:
    """Make the stored children and their relations those of ``children``. A child no
    longer listed goes with its relations and its cached jobs and candidates: nobody can
    act in it any more, so nothing of it should linger."""
    now = timezone.now()
    with transaction.atomic():
        stored = [_store_child(team, child, now) for child in children]
        gone = team.child_organisations.exclude(pk__in=[c.pk for c in stored])
        gone_keys = list(gone.values_list("key", flat=True))
        if gone_keys:
            CachedParticipant.objects.filter(team=team, scope__in=gone_keys).delete()
            CachedInterview.objects.filter(team=team, scope__in=gone_keys).delete()
            gone.delete()
            logger.info("team %s: child organisations %s no longer listed", team.slug, gone_keys)
    return stored


def child_create(
    team: Team, *, customer_full_name: str, customer_email: str, organisation_name: str
) -> ChildOrganisation:
    """Create a child organisation in Willo (errors propagate: BadRequestError carries
    Willo's field errors) and store it."""
    with Scope(team=team).client(retry=False) as willo:
        child = willo.children.create(
            customer_full_name=customer_full_name,
            customer_email=customer_email,
            organisation_name=organisation_name,
        )
    _mark_parent(team, True)
    with transaction.atomic():
        stored = _store_child(team, child, timezone.now())
    logger.info("team %s created child organisation %s", team.slug, child.key)
    return stored


@dataclass(frozen=True)
class Cockpit:
    """One child's figures on the agency page, from the cache."""

    child: ChildOrganisation
    jobs: int
    awaiting_review: int
    new_responses: int
    cached: bool  # anything cached yet (else the figures mean "not synced")


def agency_cockpit(team: Team) -> list[Cockpit]:
    """Per child: jobs, candidates awaiting review (responded, undecided) and responses
    in the last NEW_RESPONSE_DAYS days; two grouped queries for all children."""
    children = list(team.child_organisations.prefetch_related("relations"))
    keys = [child.key for child in children]
    jobs = dict(
        CachedInterview.objects.filter(team=team, scope__in=keys)
        .order_by()
        .values_list("scope")
        .annotate(Count("pk"))
    )
    since = timezone.now() - timedelta(days=NEW_RESPONSE_DAYS)
    candidates = {
        row["scope"]: row
        for row in CachedParticipant.objects.filter(team=team, scope__in=keys)
        .order_by()
        .values("scope")
        .annotate(
            awaiting=Count("pk", filter=Q(status="Completed")),
            new=Count("pk", filter=Q(responded_at__gte=since)),
            total=Count("pk"),
        )
    }
    cockpits = []
    for child in children:
        counts = candidates.get(child.key, {})
        cockpits.append(
            Cockpit(
                child=child,
                jobs=jobs.get(child.key, 0),
                awaiting_review=counts.get("awaiting", 0),
                new_responses=counts.get("new", 0),
                cached=bool(jobs.get(child.key) or counts.get("total")),
            )
        )
    return cockpits


def _store_child(team: Team, child: schemas.ChildOrganisation, now) -> ChildOrganisation:
    owner = child.owner
    stored, _ = ChildOrganisation.objects.update_or_create(
        team=team,
        key=child.key,
        defaults={
            "name": child.name or "",
            "verification_status": child.verification_status or "",
            "owner_name": (owner.full_name if owner else "") or "",
            "owner_email": (owner.email if owner else "") or "",
            "fetched_at": now,
        },
    )
    kept = []
    for relation in child.user_relations:
        digest = relation_digest(relation.key)
        user = relation.user
        fields = {
            "user_key": (user.key if user else "") or "",
            "user_name": (user.full_name if user else "") or "",
            "user_email": (user.email if user else "") or "",
            "role": relation.role or "",
            "status": relation.status or "",
        }
        updated = ChildUserRelation.objects.filter(child=stored, key_digest=digest).update(**fields)
        if not updated:
            ChildUserRelation.objects.create(
                child=stored, key=relation.key, key_digest=digest, **fields
            )
        kept.append(digest)
    stored.relations.exclude(key_digest__in=kept).delete()
    return stored


def _mark_parent(team: Team, is_parent: bool) -> None:
    team.agency_checked_at = team.agency_checked_at or timezone.now()
    Team.objects.filter(pk=team.pk, agency_checked_at__isnull=True).update(
        agency_checked_at=team.agency_checked_at
    )
    if team.is_parent != is_parent:
        team.is_parent = is_parent
        team.save(update_fields=["is_parent", "updated_at"])
