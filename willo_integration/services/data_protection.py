"""Data protection for the local cache: erasing one candidate everywhere (GDPR erasure),
and expiring cached answers and transcripts after a retention period.

Both act on this site's copy only; the candidate's record in Willo is Willo's (and the
organisation's) to erase there — a later sync would otherwise bring it back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dashboard.models import Decision, Mention, Note, Review, Team
from willo_integration.models import CachedParticipant, ReceivedWebhook, StatusChange

logger = logging.getLogger("willo_integration.data_protection")


@dataclass(frozen=True)
class Erasure:
    participants: int  # cached rows removed (one per team and scope)
    webhooks: int  # stored deliveries about them removed
    decisions: int  # decision records whose candidate name was blanked
    reviews: int = 0  # the team's reviews of them removed (with ratings and revisions)
    notes: int = 0  # the team's notes on them removed
    mentions: int = 0  # the mentions in those notes removed with them

    def __add__(self, other: Erasure) -> Erasure:
        return Erasure(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def summary(self) -> str:
        """What was erased, in words for the operator."""
        return (
            f"Erased {self.participants} cached candidate row(s), {self.webhooks} stored "
            f"webhook delivery(ies), {self.reviews} review(s), {self.notes} note(s) and "
            f"{self.mentions} mention(s); blanked the name on {self.decisions} decision(s)."
        )


def candidate_erase(
    *, email: str = "", keys: Iterable[str] = (), team: Team | None = None
) -> Erasure:
    """Remove every cached row of the candidate (by email, case-insensitive, and/or
    participant keys) in every team and scope (or in ``team`` only), with the stored
    webhook deliveries about them, their status history, and the team's reviews of them
    (ratings and history with them) and notes on them (with their mentions); decisions
    keep their audit trail without the name."""
    keys = {key for key in keys if key}
    email = email.strip()
    if not email and not keys:
        raise ValueError("Name the candidate: an email or a participant key.")
    match = Q(key__in=keys)
    if email:
        match |= Q(email__iexact=email)
    rows = CachedParticipant.objects.filter(match)
    deliveries = ReceivedWebhook.objects.all()
    decisions = Decision.objects.all()
    reviews, notes, statuses = Review.objects.all(), Note.objects.all(), StatusChange.objects.all()
    if team is not None:
        rows, deliveries, decisions, reviews, notes, statuses = (
            queryset.filter(team=team)
            for queryset in (rows, deliveries, decisions, reviews, notes, statuses)
        )
    with transaction.atomic():
        keys |= set(rows.values_list("key", flat=True))
        about = Q(participant_key__in=keys)
        if email:
            about |= Q(body__icontains=email)
        webhooks, _ = deliveries.filter(about).delete()
        participants, _ = rows.delete()
        blanked = decisions.filter(participant_key__in=keys).update(participant_name="")
        statuses.filter(participant_key__in=keys).delete()
        _total, reviewed = reviews.filter(participant_key__in=keys).delete()
        _total, noted = notes.filter(participant_key__in=keys).delete()
    erased = Erasure(
        participants=participants,
        webhooks=webhooks,
        decisions=blanked,
        reviews=reviewed.get(Review._meta.label, 0),
        notes=noted.get(Note._meta.label, 0),
        mentions=noted.get(Mention._meta.label, 0),
    )
    # Counts only: the log must not become another copy of the person's data.
    logger.info("candidate erased: %s", erased)
    return erased


@dataclass(frozen=True)
class Expiry:
    details: int  # candidates whose answers, transcripts and scores were dropped
    webhooks: int  # stored deliveries removed


def retention_apply(*, days: int) -> Expiry:
    """Drop cached details (answers, transcripts, summaries, scores) fetched more than
    ``days`` ago, and the stored deliveries (their payloads carry the same) received
    before then and already dealt with. The list fields stay; opening the candidate
    reads the detail from Willo again."""
    if days <= 0:
        return Expiry(details=0, webhooks=0)
    cutoff = timezone.now() - timedelta(days=days)
    details = CachedParticipant.objects.filter(
        detail_fetched_at__lt=cutoff, detail__isnull=False
    ).update(detail=None, detail_fetched_at=None)
    webhooks, _ = (
        ReceivedWebhook.objects.filter(received_at__lt=cutoff)
        .exclude(state=ReceivedWebhook.State.RECEIVED)
        .delete()
    )
    logger.info("retention (%d days): %d details dropped, %d deliveries", days, details, webhooks)
    return Expiry(details=details, webhooks=webhooks)
