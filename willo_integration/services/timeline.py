"""One timeline per candidate: everything that happened to them, here and in Willo, newest
first, as the member looking may see it (independent review hides colleagues' reviews:
the reviews given here are already those they may see).

Each source gives its events; the presenter words them. Sources: the invitation, status
changes Willo told us of, every decision (recorded, undone, replaced, sent, failed), the
team's reviews (each save), notes, Willo's comments and scores, identity reveals,
blind review's reveals, hiring managers' verdicts through share links, and the emails
this dashboard sent them (or failed to).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dashboard.models import (
    BlindReveal,
    Decision,
    IdentityReveal,
    Note,
    OutboundEmail,
    Review,
    ReviewRevision,
    ShareVerdict,
)
from willo_integration.models import CachedParticipant, StatusChange
from willo_integration.services.scope import Scope
from willo_integration.services.willo_feedback import WilloFeedback

LIMIT = 200  # per source: a timeline is read, not archived
SAME_MOMENT = timedelta(seconds=1)


@dataclass(frozen=True)
class Event:
    """Something that happened to the candidate: when, what kind, by whom, and its facts."""

    at: datetime
    kind: str
    actor: str = ""  # a member's username, a Willo user's name, or "" (the system, Willo)
    facts: dict[str, Any] = field(default_factory=dict)
    in_willo: bool = False  # it happened in Willo, not in this dashboard


def participant_timeline(
    *,
    scope: Scope,
    participant: CachedParticipant,
    decisions: list[Decision],
    feedback: WilloFeedback,
    notes: list[Note],
    reviews: list[Review],
) -> list[Event]:
    """The candidate's events newest first. ``decisions``, ``feedback`` (Willo's comments
    and scores), ``notes`` and ``reviews`` are the candidate's as the page has read them
    for its panels (``reviews``: those the member looking may see, independent review
    applied); the status history and the identity reveals are read here."""
    events = [
        *_invitation(participant),
        *_willo_feedback(feedback),
        *_statuses(scope, participant),
        *_decisions(decisions[:LIMIT]),
        *_reviews(reviews),
        *_notes(notes[:LIMIT]),
        *_reveals(scope, participant.key),
        *_blind_reveals(scope, participant.key),
        *_share_verdicts(scope, participant.key),
        *_emails(scope, participant.key),
    ]
    return sorted(events, key=lambda event: event.at, reverse=True)


def _invitation(participant: CachedParticipant) -> list[Event]:
    if participant.created_at is None:
        return []
    return [Event(at=participant.created_at, kind="invited", in_willo=True)]


def _statuses(scope: Scope, participant: CachedParticipant) -> list[Event]:
    """Each move Willo told us of; without any, the status the candidate was first seen in,
    when Willo said when it was set."""
    moves = StatusChange.objects.filter(
        team=scope.team, scope=scope.key, participant_key=participant.key
    ).order_by("-changed_at", "-pk")[:LIMIT]
    events = [
        Event(m.changed_at, "status", m.changed_by, {"status": m.status}, in_willo=True)
        for m in moves
    ]
    if not events and participant.status_changed_at and participant.status:
        facts = {"status": participant.status}
        at, by = participant.status_changed_at, participant.status_changed_by
        events.append(Event(at, "status", by, facts, in_willo=True))
    return events


def _willo_feedback(feedback: WilloFeedback) -> list[Event]:
    """Willo's comments and scores, when Willo says they were made (else when delivered)."""
    events = [
        Event(
            c.created_at or c.received_at,
            "willo_comment",
            c.author_name or c.author_email,
            {"text": c.text},
            in_willo=True,
        )
        for c in feedback.comments[:LIMIT]
    ]
    for s in feedback.scores[:LIMIT]:
        criteria = [
            (c.get("text") or "A criterion", c.get("score") or "not given") for c in s.criteria
        ]
        facts = {"general_score": s.general_score, "criteria": criteria}
        who = s.scored_by_name or s.scored_by_email
        events.append(Event(s.scored_at or s.received_at, "willo_score", who, facts, True))
    return events


def _decisions(decisions: list[Decision]) -> list[Event]:
    events: list[Event] = []
    for d in decisions:
        facts = {"status": d.status, "decision": d}
        events.append(Event(d.created_at, "decision_recorded", d.actor_username, facts))
        if d.state == Decision.State.UNDONE and d.undone_at:
            events.append(Event(d.undone_at, "decision_undone", d.undone_by_username, facts))
        elif d.state == Decision.State.SUPERSEDED:
            events.append(Event(d.updated_at, "decision_replaced", "", facts))
        elif d.state == Decision.State.FAILED:
            failed = {**facts, "reason": d.last_error}
            events.append(Event(d.updated_at, "decision_failed", "", failed))
        if d.sent_at:
            events.append(Event(d.sent_at, "decision_sent", "", facts, in_willo=True))
    return events


def _reviews(reviews: list[Review]) -> list[Event]:
    if not reviews:
        return []
    reviewers = {review.pk: review.reviewer_username for review in reviews}
    revisions = ReviewRevision.objects.filter(review__in=reviewers).order_by(
        "review_id", "at", "pk"
    )
    events: list[Event] = []
    previous: dict[int, ReviewRevision] = {}
    for revision in revisions:
        before = previous.get(revision.review_id)
        previous[revision.review_id] = revision
        facts = {
            "recommendation": revision.get_recommendation_display(),
            "previous": before.get_recommendation_display() if before else None,
            "rated": len(revision.ratings),
            "average": sum(revision.ratings.values()) / len(revision.ratings)
            if revision.ratings
            else None,
            "note": revision.note if not before or before.note != revision.note else "",
            "changed": before is not None,
        }
        events.append(Event(revision.at, "review", reviewers[revision.review_id], facts))
    return events[-LIMIT:]


def _notes(notes: list[Note]) -> list[Event]:
    return [
        Event(note.created_at, "note", note.author_username, {"text": note.text}) for note in notes
    ]


def _reveals(scope: Scope, key: str) -> list[Event]:
    reveals = IdentityReveal.objects.filter(team=scope.team, scope=scope.key, participant_key=key)
    return [
        Event(reveal.at, "identity_revealed", reveal.actor_username)
        for reveal in reveals.order_by("-at")[:LIMIT]
    ]


def _blind_reveals(scope: Scope, key: str) -> list[Event]:
    """Members who review blind and saw who the candidate is: they asked, or decided."""
    reveals = BlindReveal.objects.filter(team=scope.team, scope=scope.key, participant_key=key)
    return [
        Event(reveal.at, "blind_revealed", reveal.viewer_username, {"reason": reveal.reason})
        for reveal in reveals.order_by("-at")[:LIMIT]
    ]


def _share_verdicts(scope: Scope, key: str) -> list[Event]:
    """Hiring managers' verdicts through share links (each the latest they gave)."""
    verdicts = ShareVerdict.objects.filter(
        share__team=scope.team, share__scope=scope.key, participant_key=key
    ).select_related("share")
    return [
        Event(
            v.updated_at,
            "share_verdict",
            v.share.recipient_name,
            {
                "verdict": v.get_verdict_display(),
                "comment": v.comment,
                "changed": v.updated_at - v.created_at > SAME_MOMENT,
            },
        )
        for v in verdicts.order_by("-updated_at")[:LIMIT]
    ]


def _emails(scope: Scope, key: str) -> list[Event]:
    """The candidate's emails that were sent, failed, or whose outcome is unknown."""
    states = (OutboundEmail.State.SENT, OutboundEmail.State.FAILED, OutboundEmail.State.UNKNOWN)
    emails = OutboundEmail.objects.filter(
        team=scope.team, scope=scope.key, participant_key=key, state__in=states
    )
    return [
        Event(
            e.sent_at or e.updated_at,
            "email",
            e.created_by_username,
            {
                "kind": e.get_kind_display(),
                "state": e.state,
                "subject": e.subject,
                "reason": e.last_error,
            },
        )
        for e in emails.order_by("-updated_at")[:LIMIT]
    ]
