"""Data protection for the local cache: erasing one candidate everywhere (GDPR erasure),
and expiring cached answers, transcripts, and Willo's comments and scores after a
retention period.

Both act on this site's copy only; the candidate's record in Willo is Willo's (and the
organisation's) to erase there — a later sync would otherwise bring it back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dashboard.models import (
    BlindReveal,
    CandidateFirstName,
    CandidateNumber,
    Decision,
    Mention,
    Note,
    OutboundEmail,
    Review,
    SharedCandidate,
    ShareVerdict,
    ShareView,
    Team,
)
from willo_integration.models import (
    CachedParticipant,
    ReceivedWebhook,
    StatusChange,
    WilloComment,
    WilloScore,
)
from willo_integration.schemas import is_webhook_envelope

logger = logging.getLogger("willo_integration.data_protection")


@dataclass(frozen=True)
class Erasure:
    participants: int  # cached rows removed (one per team and scope)
    webhooks: int  # stored deliveries about them removed
    decisions: int  # decision records whose candidate name was blanked
    feedback: int = 0  # Willo's comments and scores on them removed
    reviews: int = 0  # the team's reviews of them removed (with ratings and revisions)
    notes: int = 0  # the team's notes on them removed
    mentions: int = 0  # the mentions in those notes removed with them
    shared: int = 0  # share links' shortlist entries, verdicts and page views of them removed
    emails: int = 0  # the outbox's emails to them and their first name's correction removed

    def __add__(self, other: Erasure) -> Erasure:
        return Erasure(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def summary(self) -> str:
        """What was erased, in words for the operator."""
        return (
            f"Erased {self.participants} cached candidate row(s), {self.webhooks} stored "
            f"webhook delivery(ies), {self.feedback} Willo comment(s) and score(s), "
            f"{self.reviews} review(s), {self.notes} note(s), {self.mentions} mention(s), "
            f"{self.shared} share link record(s) and {self.emails} email record(s); "
            f"blanked the name on {self.decisions} decision(s)."
        )


def candidate_erase(
    *, email: str = "", keys: Iterable[str] = (), team: Team | None = None
) -> Erasure:
    """Remove every cached row of the candidate (by email, case-insensitive, and/or
    participant keys) in every team and scope (or in ``team`` only), with the stored
    webhook deliveries about them, Willo's comments and scores on them, their status
    history, and the team's reviews of them (ratings and history with them) and notes on
    them (with their mentions), blind review's numbers and reveals of them, and their place
    in share links (with the manager's verdicts and views of their page), the outbox's
    emails to them and the first name emails greet them by; decisions
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
    about_them = [
        WilloComment.objects.all(),
        WilloScore.objects.all(),
        StatusChange.objects.all(),
        Review.objects.all(),
        Note.objects.all(),
        BlindReveal.objects.all(),  # blind review's reveals and numbers of them
        CandidateNumber.objects.all(),
        OutboundEmail.objects.all(),  # the emails to them, with their words and address
        CandidateFirstName.objects.all(),
    ]
    shared = [  # in share links: on the shortlist, the verdicts, the views of their page
        SharedCandidate.objects.all(),
        ShareVerdict.objects.all(),
        ShareView.objects.all(),
    ]
    if team is not None:
        rows, deliveries, decisions = (q.filter(team=team) for q in (rows, deliveries, decisions))
        about_them = [q.filter(team=team) for q in about_them]
        shared = [q.filter(share__team=team) for q in shared]
    with transaction.atomic():
        keys |= set(rows.values_list("key", flat=True))
        about = Q(participant_key__in=keys)
        if email:
            about |= Q(body__icontains=email)
            # A candidate not cached is known by email only in the deliveries about them.
            keys |= _delivered_keys(deliveries.filter(body__icontains=email), email)
        webhooks, _ = deliveries.filter(about).delete()
        participants, _ = rows.delete()
        blanked = decisions.filter(participant_key__in=keys).update(participant_name="")
        removed: dict[str, int] = {}
        for queryset in (*about_them, *shared):
            for label, count in queryset.filter(participant_key__in=keys).delete()[1].items():
                removed[label] = removed.get(label, 0) + count
        naming_them = Q()
        for key in keys:  # members' emails that name them (a mention, a digest, verdicts)
            naming_them |= Q(about_participants__contains=f" {key} ")
        if keys:
            mails = OutboundEmail.objects.filter(naming_them)
            if team is not None:
                mails = mails.filter(team=team)
            label = OutboundEmail._meta.label
            removed[label] = removed.get(label, 0) + mails.delete()[0]
    erased = Erasure(
        participants=participants,
        webhooks=webhooks,
        decisions=blanked,
        feedback=removed.get(WilloComment._meta.label, 0) + removed.get(WilloScore._meta.label, 0),
        reviews=removed.get(Review._meta.label, 0),
        notes=removed.get(Note._meta.label, 0),
        mentions=removed.get(Mention._meta.label, 0),
        shared=sum(
            removed.get(m._meta.label, 0) for m in (SharedCandidate, ShareVerdict, ShareView)
        ),
        emails=sum(removed.get(m._meta.label, 0) for m in (OutboundEmail, CandidateFirstName)),
    )
    # Counts only: the log must not become another copy of the person's data.
    logger.info("candidate erased: %s", erased)
    return erased


def _delivered_keys(deliveries, email: str) -> set[str]:
    """The participant keys of the deliveries whose candidate has ``email`` (not merely
    mentions it: a comment's author or text may)."""
    wanted = email.casefold()
    keys = set()
    for key, body in deliveries.values_list("participant_key", "body"):
        try:
            payload = json.loads(body)
        except ValueError:
            continue
        if isinstance(payload, dict) and is_webhook_envelope(payload):
            data = payload.get("data")
            payload = data.get("participant") if isinstance(data, dict) else None
        if not isinstance(payload, dict) or not key:
            continue
        sent = payload.get("email")
        if isinstance(sent, str) and sent.strip().casefold() == wanted:
            keys.add(key)
    return keys


@dataclass(frozen=True)
class Expiry:
    details: int  # candidates whose answers, transcripts and scores were dropped
    webhooks: int  # stored deliveries removed
    feedback: int = 0  # Willo's comments and scores removed
    emails: int = 0  # emails settled (sent, failed, cancelled) before the cutoff removed


def retention_apply(*, days: int) -> Expiry:
    """Drop cached details (answers, transcripts, summaries, scores) fetched more than
    ``days`` ago, the stored deliveries (their payloads carry the same) received before
    then and already dealt with, and Willo's comments and scores last delivered before
    then, and the outbox's emails settled before then. The list fields stay; opening the
    candidate reads the detail from Willo again
    (comments and scores cannot be read again: Willo's API has no way to list them).

    Comments and scores expire by when a delivery last brought them, not with the
    delivery's row (nothing links them): dropping a delivery leaves its comment or score."""
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
    feedback = (
        WilloComment.objects.filter(received_at__lt=cutoff).delete()[0]
        + WilloScore.objects.filter(received_at__lt=cutoff).delete()[0]
    )
    settled = (OutboundEmail.State.SENT, OutboundEmail.State.FAILED, OutboundEmail.State.CANCELLED)
    emails, _ = OutboundEmail.objects.filter(updated_at__lt=cutoff, state__in=settled).delete()
    logger.info(
        "retention (%d days): %d details dropped, %d deliveries, %d Willo comments and scores, "
        "%d emails",
        days, details, webhooks, feedback, emails,
    )  # fmt: skip
    return Expiry(details=details, webhooks=webhooks, feedback=feedback, emails=emails)
