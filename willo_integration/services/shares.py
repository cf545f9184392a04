"""Share links: a hiring manager without an account reviews a shortlist of one job's
candidates through a link, and gives each a verdict (Yes, Maybe, No) with a comment.

The link carries a random token; only its SHA-256 is stored, so the link is shown once,
when it is made (a *New link* replaces it: the old one stops working at once; *Resend by
email* makes a new one and emails it to the manager through the outbox). A share
is the team's own, like reviews: Willo never hears of it nor of the verdicts. It reaches
only its own candidates, in its own team and scope, while it is neither expired nor
revoked; a candidate erased since drops out of it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from dashboard.models import (
    SHARE_COMMENT_MAX_CHARACTERS,
    SHARE_MAX_DAYS,
    Share,
    SharedCandidate,
    ShareVerdict,
    ShareView,
    actor_user,
    actor_username,
)
from willo_integration.models import CachedInterview, CachedParticipant
from willo_integration.services.changes import changes_mark
from willo_integration.services.errors import NotFound, ParticipantNotFound
from willo_integration.services.member_emails import share_link_email_queue
from willo_integration.services.participants import participant_refetch
from willo_integration.services.scope import NotAChild, Scope, child_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger("willo_integration.shares")

TOKEN_BYTES = 24  # 192 bits, URL-safe base64: 32 characters
MAX_SHARED = 50
NAME_MAX = 200


class ShareRejected(ValueError):
    """The share cannot be made or changed as asked; the message is for the recruiter."""


class ShareNotFound(NotFound):
    message = "No such share link."


class ShareGone(Exception):
    """The share has expired or was revoked: nothing more can be seen or given through it."""

    def __init__(self, share: Share, state: str) -> None:
        self.share = share
        self.state = state  # "expired" or "revoked"
        super().__init__(f"share {share.pk} {state}")


@dataclass(frozen=True)
class NewLink:
    share: Share
    token: str  # shown once: only its hash is kept


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_digest(token)


def share_check(
    *, recipient_name: str, recipient_email: str, days: int, keys: list[str]
) -> dict[str, str]:
    """What is wrong with a share as asked, by field ("" key: the candidates); {} if nothing."""
    problems = {}
    if not recipient_name.strip():
        problems["recipient_name"] = "Write the hiring manager's name."
    elif len(recipient_name.strip()) > NAME_MAX:
        problems["recipient_name"] = f"A name can be at most {NAME_MAX} characters."
    try:
        validate_email(recipient_email.strip())
    except ValidationError:
        problems["recipient_email"] = (
            "Enter the hiring manager's email address, like ana@example.com."
        )
    if not 1 <= days <= SHARE_MAX_DAYS:
        problems["days"] = f"The link can last from 1 to {SHARE_MAX_DAYS} days."
    if not keys:
        problems[""] = "Choose at least one candidate to share."
    elif len(keys) > MAX_SHARED:
        problems[""] = f"Share at most {MAX_SHARED} candidates at once; you chose {len(keys)}."
    return problems


def share_choosable(
    *, scope: Scope, interview: CachedInterview, keys: list[str]
) -> list[CachedParticipant]:
    """Those of ``keys`` that are the job's candidates here, as cached, in the order given."""
    keys = list(dict.fromkeys(keys))[:MAX_SHARED]
    rows = {
        row.key: row
        for row in CachedParticipant.objects.filter(
            team=scope.team, scope=scope.key, interview=interview, key__in=keys
        )
    }
    return [rows[key] for key in keys if key in rows]


def share_create(
    *,
    scope: Scope,
    interview: CachedInterview,
    participant_keys: list[str],
    recipient_name: str,
    recipient_email: str,
    days: int,
    show_contact_details: bool = False,
    blind: bool = False,
    creator: AbstractBaseUser,
) -> NewLink:
    """A share of those of ``participant_keys`` that are the job's candidates here, in the
    order given. ShareRejected (nothing stored) for a bad name, email or length, or when
    none of them is a candidate of the job."""
    keys = list(dict.fromkeys(k for k in participant_keys if k))
    problems = share_check(
        recipient_name=recipient_name, recipient_email=recipient_email, days=days, keys=keys
    )
    if problems:
        raise ShareRejected(" ".join(problems.values()))
    keys = [row.key for row in share_choosable(scope=scope, interview=interview, keys=keys)]
    if not keys:
        raise ShareRejected("None of the chosen candidates is a candidate of this job.")
    token, digest = _new_token()
    now = timezone.now()
    with transaction.atomic():
        share = Share.objects.create(
            team=scope.team,
            scope=scope.key,
            relation=scope.relation,
            interview_key=interview.key,
            interview_title=interview.title or "",
            recipient_name=recipient_name.strip(),
            recipient_email=recipient_email.strip(),
            token_hash=digest,
            days=days,
            show_contact_details=show_contact_details,
            blind=blind,
            created_by=actor_user(creator),
            created_by_username=actor_username(creator),
            created_at=now,
            link_made_at=now,
            link_made_by_username=actor_username(creator),
            expires_at=now + timedelta(days=days),
        )
        SharedCandidate.objects.bulk_create(
            SharedCandidate(share=share, participant_key=key, position=position)
            for position, key in enumerate(keys)
        )
    logger.info("share %s of %d candidate(s) made in %r", share.pk, len(keys), scope)
    return NewLink(share=share, token=token)


def share_in_scope(*, scope: Scope, share_id: int) -> Share:
    """The scope's share ``share_id``; ShareNotFound if it is not this scope's."""
    share = Share.objects.filter(team=scope.team, scope=scope.key, pk=share_id).first()
    if share is None:
        raise ShareNotFound
    return share


def share_new_link(*, share: Share, actor) -> NewLink:
    """A new token for the share (the old link stops working at once), valid for the
    share's number of days from now; a revoked share opens again with it."""
    token, digest = _new_token()
    now = timezone.now()
    share.token_hash = digest
    share.link_made_at = now
    share.link_made_by_username = actor_username(actor)
    share.expires_at = max(share.expires_at, now + timedelta(days=share.days))
    share.revoked_at = None
    share.revoked_by_username = ""
    share.save(
        update_fields=[
            "token_hash",
            "link_made_at",
            "link_made_by_username",
            "expires_at",
            "revoked_at",
            "revoked_by_username",
        ]
    )
    logger.info(
        "share %s has a new link, made by %s", share.pk, share.link_made_by_username or "system"
    )
    return NewLink(share=share, token=token)


def share_resend(*, share: Share, actor) -> Share:
    """*Resend by email*: a new link (the old one stops working at once) emailed to the
    hiring manager through the outbox, both in one transaction."""
    with transaction.atomic():
        link = share_new_link(share=share, actor=actor)
        share_link_email_queue(share=share, link=link, actor=actor)
    logger.info("share %s: a new link queued by email to its hiring manager", share.pk)
    return share


def share_revoke(*, share: Share, actor) -> Share:
    """End the share at once (its link answers 410 from now on)."""
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.revoked_by_username = actor_username(actor)
        share.save(update_fields=["revoked_at", "revoked_by_username"])
        logger.info("share %s revoked by %s", share.pk, share.revoked_by_username or "system")
    return share


def share_open(token: str) -> Share:
    """The share the token opens: ShareNotFound if none, ShareGone if it has expired or
    was revoked. The stored hash is compared in constant time."""
    digest = token_digest(token)
    share = Share.objects.select_related("team").filter(token_hash=digest).first()
    if share is None or not hmac.compare_digest(share.token_hash, digest):
        raise ShareNotFound
    state = share.state()
    if state != "active":
        raise ShareGone(share, state)
    return share


def share_scope(share: Share) -> Scope:
    """Where the share's candidates live; an agency client's with the relation the share
    was made as (needed only to read Willo again), else the client alone."""
    try:
        return child_scope(share.team, share.scope, share.relation)
    except NotAChild:
        return Scope(team=share.team, child_key=share.scope)


def shared_candidates(share: Share) -> list[CachedParticipant]:
    """The share's candidates still cached in its job, in the recruiter's order (one erased
    or deleted in Willo since has dropped out)."""
    keys = list(share.candidates.values_list("participant_key", flat=True))
    rows = {
        row.key: row
        for row in CachedParticipant.objects.filter(
            team=share.team,
            scope=share.scope,
            interview__key=share.interview_key,
            key__in=keys,
        ).select_related("interview")
    }
    return [rows[key] for key in keys if key in rows]


def shared_candidate(share: Share, participant_key: str) -> CachedParticipant:
    """One candidate of the share, as cached (one query); ShareNotFound if the share has no
    such one."""
    row = (
        CachedParticipant.objects.filter(
            team=share.team,
            scope=share.scope,
            interview__key=share.interview_key,
            key=participant_key,
            key__in=share.candidates.values("participant_key"),
        )
        .select_related("interview")
        .first()
    )
    if row is None:
        raise ShareNotFound("No such candidate in this share.")
    return row


def shared_candidate_answers(share: Share, row: CachedParticipant, *, budget) -> CachedParticipant:
    """``row`` with its answers: read from Willo once when they were never fetched (a read
    the share's ``budget`` counts); as cached when Willo cannot be reached."""
    if row.detail is not None:
        return row
    try:
        fetched, _freshness = participant_refetch(
            scope=share_scope(share), key=row.key, budget=budget
        )
    except ParticipantNotFound:
        raise ShareNotFound("No such candidate in this share.") from None
    return fetched


def share_verdicts(share: Share) -> dict[str, ShareVerdict]:
    """The manager's verdicts so far, by candidate."""
    return {v.participant_key: v for v in share.verdicts.all()}


def share_verdict_give(
    *, token: str, participant_key: str, verdict: str, comment: str
) -> ShareVerdict:
    """The manager's verdict on one candidate of the share, replacing an earlier one.

    The share is looked up again here, so a verdict after the share expired or was revoked
    raises ShareGone and nothing is stored; ShareRejected for a verdict that is not Yes,
    Maybe or No, or a comment too long."""
    share = share_open(token)
    candidate = shared_candidate(share, participant_key)
    if verdict not in ShareVerdict.Verdict.values:
        raise ShareRejected("Choose Yes, Maybe or No.")
    comment = comment.replace("\r\n", "\n").strip()
    if len(comment) > SHARE_COMMENT_MAX_CHARACTERS:
        raise ShareRejected(
            f"A comment can be at most {SHARE_COMMENT_MAX_CHARACTERS:,} characters; "
            f"this one has {len(comment):,}."
        )
    with transaction.atomic():
        given, _ = ShareVerdict.objects.update_or_create(
            share=share,
            participant_key=candidate.key,
            defaults={"verdict": verdict, "comment": comment},
        )
        changes_mark(scope=share_scope(share), participant_keys=[candidate.key])
    return given


def share_view_record(
    *, share: Share, participant_key: str = "", ip_address: str | None, user_agent: str
) -> None:
    """Log an opening of the share's page (the shortlist when ``participant_key`` is "")."""
    ShareView.objects.create(
        share=share,
        participant_key=participant_key,
        ip_address=ip_address,
        user_agent=user_agent[:300],
    )


@dataclass
class ShareSummary:
    """A share as the job page lists it."""

    share: Share
    state: str  # active, expired, revoked
    candidates: int
    views: int
    last_viewed_at: datetime | None
    verdicts: dict[str, int] = field(default_factory=dict)  # label -> count, in order


def interview_shares(*, scope: Scope, interview_key: str) -> list[ShareSummary]:
    """The job's shares in this scope, newest first, with their views and verdicts."""
    shares = list(
        Share.objects.filter(team=scope.team, scope=scope.key, interview_key=interview_key)
        .annotate(
            view_count=Count("views", distinct=True),
            last_view=Max("views__at"),
            candidate_count=Count("candidates", distinct=True),
        )
        .order_by("-created_at", "-pk")
    )
    counts: dict[int, Counter] = {share.pk: Counter() for share in shares}
    for share_id, verdict in ShareVerdict.objects.filter(share__in=shares).values_list(
        "share_id", "verdict"
    ):
        counts[share_id][verdict] += 1
    now = timezone.now()
    return [
        ShareSummary(
            share=share,
            state=share.state(now),
            candidates=share.candidate_count,
            views=share.view_count,
            last_viewed_at=share.last_view,
            verdicts={
                label: counts[share.pk][value]
                for value, label in ShareVerdict.Verdict.choices
                if counts[share.pk][value]
            },
        )
        for share in shares
    ]


def interview_shared(*, scope: Scope, interview_key: str) -> bool:
    """Whether any of the job's candidates here was ever shared with a hiring manager."""
    return Share.objects.filter(
        team=scope.team, scope=scope.key, interview_key=interview_key
    ).exists()


def participants_share_verdicts(*, scope: Scope, keys: list[str]) -> dict[str, list[ShareVerdict]]:
    """Hiring managers' verdicts on each of ``keys``, newest first (each with its share)."""
    found: dict[str, list[ShareVerdict]] = {key: [] for key in keys}
    if not keys:
        return found
    for verdict in (
        ShareVerdict.objects.filter(
            share__team=scope.team, share__scope=scope.key, participant_key__in=keys
        )
        .select_related("share")
        .order_by("-updated_at", "-pk")
    ):
        found[verdict.participant_key].append(verdict)
    return found
