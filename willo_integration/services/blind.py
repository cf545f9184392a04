"""Blind review: a member who reviews blind sees candidates as "Candidate <number>", with
no name, contact details, location, avatar, custom ID or Willo links, until they reveal
one or decide on them.

It is on for every member of a team that turns it on, and for a member who turns it on
for themselves. The numbers are given per job, once and for good, in the order Willo
invited the candidates; reveals are per member and recorded for the candidate's timeline.
All of it is the dashboard's own: Willo never hears of it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max

from dashboard.models import BlindReveal, CandidateNumber, Team, actor_username
from willo_integration.models import CachedParticipant
from willo_integration.services.preferences import preferences_of
from willo_integration.services.scope import Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger("willo_integration.services")

ASSIGN_ATTEMPTS = 3  # a concurrent request numbering the same job: read again and retry


def pseudonym(number: int | None) -> str:
    """How blind review names a candidate: by their number in their job."""
    return f"Candidate {number}" if number is not None else "A candidate"


def blind_review_on(*, scope: Scope, viewer: AbstractBaseUser) -> bool:
    """Whether ``viewer`` reviews this team's candidates blind."""
    return scope.team.blind_review or preferences_of(viewer).blind_review


def blind_teams_of(*, member: AbstractBaseUser) -> list:
    """The member's teams that review blind for everyone."""
    return list(Team.objects.filter(memberships__user=member, blind_review=True).order_by("name"))


def candidates_named(*, scope: Scope, keys: Iterable[str]) -> list[CachedParticipant]:
    """The scope's cached candidates among ``keys``, with what masking them needs."""
    return list(
        CachedParticipant.objects.filter(team=scope.team, scope=scope.key, key__in=set(keys)).only(
            "key", "interview_key", "name", "email", "phone", "location"
        )
    )


def team_blind_review_set(*, team, on: bool, actor: AbstractBaseUser) -> None:
    """Turn blind review on or off for every member of the team (a team admin's choice)."""
    if team.blind_review == on:
        return
    team.blind_review = on
    team.save(update_fields=["blind_review", "updated_at"])
    logger.info(
        "team %s: blind review turned %s by %s",
        team.slug, "on" if on else "off", actor.get_username(),
    )  # fmt: skip


def candidate_numbers(*, scope: Scope, candidates: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Each candidate's number within their job, for (participant key, interview key)
    pairs; numbers are given here to those who have none yet."""
    wanted = dict(candidates)
    if not wanted:
        return {}
    numbers = _numbers_of(scope, wanted)
    for interview_key in {wanted[key] for key in wanted.keys() - numbers.keys()}:
        _number_job(scope, interview_key)
    if len(numbers) < len(wanted):
        numbers = _numbers_of(scope, wanted)
    return numbers


def _numbers_of(scope: Scope, wanted: dict[str, str]) -> dict[str, int]:
    return dict(
        CandidateNumber.objects.filter(
            team=scope.team, scope=scope.key, participant_key__in=list(wanted)
        ).values_list("participant_key", "number")
    )


def _number_job(scope: Scope, interview_key: str) -> None:
    """Number the job's cached candidates who have no number, after the highest given,
    in the order they were invited."""
    numbered = CandidateNumber.objects.filter(
        team=scope.team, scope=scope.key, interview_key=interview_key
    )
    for _attempt in range(ASSIGN_ATTEMPTS):
        keys = list(
            CachedParticipant.objects.filter(
                team=scope.team, scope=scope.key, interview_key=interview_key
            )
            .exclude(key__in=numbered.values("participant_key"))
            .order_by("created_at", "pk")
            .values_list("key", flat=True)
        )
        if not keys:
            return
        start = numbered.aggregate(top=Max("number"))["top"] or 0
        rows = [
            CandidateNumber(
                team=scope.team,
                scope=scope.key,
                interview_key=interview_key,
                participant_key=key,
                number=start + offset,
            )
            for offset, key in enumerate(keys, start=1)
        ]
        try:
            with transaction.atomic():
                CandidateNumber.objects.bulk_create(rows, batch_size=1000)
            return
        except IntegrityError:  # another request numbered some of them first
            continue
    logger.warning("team %s: could not number job %s's candidates", scope.team.slug, interview_key)


def revealed_keys(*, scope: Scope, viewer: AbstractBaseUser, keys: Iterable[str]) -> set[str]:
    """Which of these candidates ``viewer`` has revealed (or decided on)."""
    keys = list(keys)
    if not keys or not viewer.is_authenticated:
        return set()
    return set(
        BlindReveal.objects.filter(
            team=scope.team, scope=scope.key, viewer=viewer, participant_key__in=keys
        ).values_list("participant_key", flat=True)
    )


def candidate_reveal(
    *,
    scope: Scope,
    participant_key: str,
    viewer: AbstractBaseUser,
    reason: str = BlindReveal.Reason.ASKED,
    ip_address: str | None = None,
) -> BlindReveal:
    """Show ``viewer`` who the candidate is, from now on; recorded once per member."""
    reveal, created = BlindReveal.objects.get_or_create(
        team=scope.team,
        scope=scope.key,
        participant_key=participant_key,
        viewer=viewer,
        defaults={
            "viewer_username": actor_username(viewer),
            "reason": reason,
            "ip_address": ip_address,
        },
    )
    if created:
        logger.info(
            "team %s: candidate %s revealed to %s (%s)",
            scope.team.slug, participant_key, actor_username(viewer), reason,
        )  # fmt: skip
    return reveal


def candidates_reveal_on_decision(
    *, scope: Scope, participant_keys: Iterable[str], viewer: AbstractBaseUser
) -> None:
    """Deciding reveals: a blind member who accepts or rejects sees whom they decided on."""
    participant_keys = list(participant_keys)
    if not viewer.is_authenticated or not blind_review_on(scope=scope, viewer=viewer):
        return
    keys = set(participant_keys) - revealed_keys(scope=scope, viewer=viewer, keys=participant_keys)
    BlindReveal.objects.bulk_create(
        [
            BlindReveal(
                team=scope.team,
                scope=scope.key,
                participant_key=key,
                viewer=viewer,
                viewer_username=actor_username(viewer),
                reason=BlindReveal.Reason.DECIDED,
            )
            for key in sorted(keys)
        ],
        ignore_conflicts=True,
    )
