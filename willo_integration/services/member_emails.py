"""Emails to the team's members and to hiring managers: a mention, the verdicts given on a
share in an hour (one summary per share and hour, not one per verdict), a share's link
sent by email, and a daily digest of new responses in the jobs a member follows.

Each goes through the outbox (made once: a dedupe key per mention, share and hour, member
and day), each has a link back here, and a member turns each kind off in their
preferences. A member who reviews blind is not told candidates' names, nor what a note
about one says.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from dashboard.email_records import LINK_MARKER
from dashboard.models import (
    JobFollow,
    Membership,
    Mention,
    OutboundEmail,
    Share,
    ShareVerdict,
    actor_username,
)
from willo_integration.models import CachedInterview, CachedParticipant
from willo_integration.services.blind import blind_review_on, candidate_numbers, pseudonym
from willo_integration.services.email_templates import client_name
from willo_integration.services.errors import JobNotFound
from willo_integration.services.outbox import member_email_queue
from willo_integration.services.preferences import preferences_of
from willo_integration.services.scope import Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from dashboard.models import Note
    from willo_integration.services.shares import NewLink

logger = logging.getLogger("willo_integration.services")

Kind = OutboundEmail.Kind
DIGEST_HOUR_UTC = 7  # digests go from this hour of the day (UTC) on
MAX_DIGEST_ITEMS = 50
NAMES_PER_DIGEST_ITEM = 5
# A summary of an hour is made up to this many hours later (a beat that was down).
VERDICT_LOOKBACK_HOURS = 6


def public_url(path: str) -> str:
    """An absolute link for an email: DASHBOARD_PUBLIC_URL and the path."""
    return f"{settings.DASHBOARD_PUBLIC_URL.rstrip('/')}{path}"


def _words(**context) -> tuple[str, str]:
    context.setdefault("preferences_url", public_url(reverse("dashboard:member_preferences")))
    return (
        render_to_string("emails/member.txt", context),
        render_to_string("emails/member.html", context),
    )


def _address(user) -> str:
    return (getattr(user, "email", "") or "").strip()


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _client_line(scope: Scope) -> list[str]:
    """For a client organisation's email: where to find it (links open the agency's own)."""
    if not scope.key:
        return []
    name = client_name(scope) or "a client organisation"
    return [f"This is in {name}: choose it on {scope.team.name}'s agency page first."]


def _team_page(scope: Scope, name: str, **kwargs) -> str:
    """A page of the scope; for a client organisation, the agency page that switches to it."""
    if scope.key:
        name, kwargs = "dashboard:agency_detail", {}
    return public_url(reverse(name, kwargs={"slug": scope.team.slug, **kwargs}))


# -- mentions ----------------------------------------------------------------------------


def mention_emails_queue(*, scope: Scope, note: Note) -> int:
    """Tell each member the note mentions (with an address, and mentions' emails on); how
    many were queued. Called inside the transaction that stores the note."""
    count = 0
    for mention in Mention.objects.filter(note=note).select_related("user"):
        user = mention.user
        if not _address(user) or not preferences_of(user).email_mentions:
            continue
        blind = blind_review_on(scope=scope, viewer=user)
        candidate = "a candidate" if blind else (note.participant_name or "a candidate")
        if scope.key:  # the Mentions page opens a client organisation's candidate
            url = public_url(reverse("dashboard:mentions"))
        else:
            url = public_url(
                reverse(
                    "dashboard:participant_detail",
                    kwargs={"slug": scope.team.slug, "participant_key": note.participant_key},
                )
            )
        author = note.author_username or "A colleague"
        subject = f"{author} mentioned you on {candidate} ({scope.team.name})"
        said = ["You review blind: open the note to read it."] if blind else [_excerpt(note.text)]
        text, html = _words(
            subject=subject,
            heading=f"{author} mentioned you in a note on {candidate}",
            lines=said,
            link_url=f"{url}#notes" if not scope.key else url,
            link_label="Open the note",
            why=f"You get this because you were mentioned in {scope.team.name}.",
        )
        queued = member_email_queue(
            team=scope.team,
            scope_key=scope.key,
            kind=Kind.MENTION,
            recipient=user,
            to_email=_address(user),
            subject=subject,
            text=text,
            html=html,
            dedupe_key=f"mention:{mention.pk}",
            about=[note.participant_key],
        )
        count += queued is not None
    return count


def _excerpt(text: str, limit: int = 600) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- share links -------------------------------------------------------------------------


def share_link_email_queue(*, share: Share, link: NewLink, actor: AbstractBaseUser) -> bool:
    """Email a share's (new) link to its hiring manager; whether it was queued."""
    url = public_url(reverse("share:page", kwargs={"token": link.token}))
    sender = actor_username(actor) or share.team.name
    job = share.interview_title or "a job"
    subject = f"{share.team.name}: candidates for {job} to review"
    text, html = _words(
        subject=subject,
        heading=f"{sender} shared candidates with you",
        lines=[
            f"Hello {share.recipient_name}, {sender} at {share.team.name} would like your view "
            f"on the candidates for {job}.",
            "Open the link, watch their answers and give each a Yes, Maybe or No with a "
            f"comment. No account is needed. The link works until {_day(share.expires_at)}; "
            "keep it to yourself.",
        ],
        link_url=LINK_MARKER,  # the link itself travels encrypted, beside the words
        link_label="Review the candidates",
        why="Any earlier link you were sent for these candidates no longer works.",
        preferences_url="",
    )
    queued = member_email_queue(
        team=share.team,
        scope_key=share.scope,
        kind=Kind.SHARE_LINK,
        recipient=None,
        to_email=share.recipient_email,
        subject=subject,
        text=text,
        html=html,
        dedupe_key=f"share_link:{share.pk}:{share.token_hash[:16]}",
        secret_link=url,
    )
    if queued is not None:
        queued.to_name = share.recipient_name
        queued.created_by_username = actor_username(actor)
        queued.save(update_fields=["to_name", "created_by_username"])
    return queued is not None


# -- the hiring managers' verdicts, one summary per share and hour ------------------------


def share_verdict_summaries(*, now: datetime | None = None) -> int:
    """For each whole hour before ``now`` (as far back as VERDICT_LOOKBACK_HOURS): one email
    per share whose manager gave verdicts in it, to the member who made the share. How many
    were queued."""
    end = _hour(now or timezone.now())
    given = (
        ShareVerdict.objects.filter(
            updated_at__gte=end - timedelta(hours=VERDICT_LOOKBACK_HOURS), updated_at__lt=end
        )
        .select_related("share", "share__team", "share__created_by")
        .order_by("share_id", "updated_at", "pk")
    )
    hours: dict[str, list[ShareVerdict]] = {}
    for verdict in given:
        key = f"verdicts:{verdict.share_id}:{_hour(verdict.updated_at):%Y%m%d%H}"
        hours.setdefault(key, []).append(verdict)
    made = _made(hours)
    return sum(
        _verdicts_summary(verdicts, dedupe_key=key)
        for key, verdicts in hours.items()
        if key not in made
    )


def _verdicts_summary(verdicts: list[ShareVerdict], *, dedupe_key: str) -> int:
    share = verdicts[0].share
    member = share.created_by
    if (
        member is None
        or not _address(member)
        or not preferences_of(member).email_share_verdicts
        or not Membership.objects.filter(team=share.team, user=member).exists()
    ):
        return 0
    scope = Scope(team=share.team, child_key=share.scope)
    blind = share.blind or blind_review_on(scope=scope, viewer=member)
    names = _names(scope, share, [v.participant_key for v in verdicts], blind=blind)
    items = [
        f"{names[v.participant_key]}: {v.get_verdict_display()}"
        + (f" ({_excerpt(v.comment, 200)})" if v.comment else "")
        for v in verdicts
    ]
    start = _hour(verdicts[0].updated_at)
    plural = "s" if len(verdicts) != 1 else ""
    job = share.interview_title or "a job"
    subject = f"{share.recipient_name} gave {len(verdicts)} verdict{plural} on {job}"
    text, html = _words(
        subject=subject,
        heading=subject,
        lines=[
            f"Between {start:%H:%M} and {start + timedelta(hours=1):%H:%M} UTC on {_day(start)}:",
            *_client_line(scope),
        ],
        items=items,
        link_url=_team_page(scope, "dashboard:interview_detail", interview_key=share.interview_key),
        link_label="Open the job",
        why="You get this because you shared these candidates.",
    )
    queued = member_email_queue(
        team=share.team,
        scope_key=share.scope,
        kind=Kind.SHARE_VERDICTS,
        recipient=member,
        to_email=_address(member),
        subject=subject,
        text=text,
        html=html,
        dedupe_key=dedupe_key,
        about=[v.participant_key for v in verdicts],
    )
    return int(queued is not None)


def _names(scope: Scope, share: Share, keys: list[str], *, blind: bool) -> dict[str, str]:
    if blind:
        numbers = candidate_numbers(
            scope=scope, candidates=[(key, share.interview_key) for key in keys]
        )
        return {key: pseudonym(numbers.get(key)) for key in keys}
    named = dict(
        CachedParticipant.objects.filter(
            team=share.team, scope=share.scope, key__in=keys
        ).values_list("key", "name")
    )
    return {key: named.get(key) or "A candidate" for key in keys}


# -- following jobs, and the daily digest -------------------------------------------------


def job_follow(*, scope: Scope, interview: CachedInterview, member) -> JobFollow:
    """Follow the scope's job: its new responses from now on reach ``member`` in a digest."""
    if interview.team_id != scope.team.pk or interview.scope != scope.key:
        raise JobNotFound
    follow, made = JobFollow.objects.get_or_create(
        team=scope.team,
        scope=scope.key,
        interview_key=interview.key,
        user=member,
        defaults={"interview_title": (interview.title or "")[:300]},
    )
    if made:
        logger.info("%s follows job %s in %r", member.get_username(), interview.key, scope)
    return follow


def job_unfollow(*, scope: Scope, interview_key: str, member) -> None:
    deleted, _ = JobFollow.objects.filter(
        team=scope.team, scope=scope.key, interview_key=interview_key, user=member
    ).delete()
    if deleted:
        logger.info("%s unfollowed job %s in %r", member.get_username(), interview_key, scope)


def job_followed(*, scope: Scope, interview_key: str, member) -> bool:
    return JobFollow.objects.filter(
        team=scope.team, scope=scope.key, interview_key=interview_key, user=member
    ).exists()


def member_digests(*, now: datetime | None = None) -> int:
    """Once a day (from DIGEST_HOUR_UTC): each member with new responses in the jobs they
    follow gets one email per team (and client organisation) listing them. How many were
    queued."""
    now = now or timezone.now()
    day = now.astimezone(UTC)
    if day.hour < DIGEST_HOUR_UTC:
        return 0
    follows = (
        JobFollow.objects.filter(team__memberships__user_id=F("user_id"))  # still a member
        .exclude(user__email="")
        .exclude(user__preferences__email_digest=False)
        .select_related("team", "user")
        .order_by("user_id", "team_id", "scope", "interview_title", "pk")
    )
    groups: dict[str, list[JobFollow]] = {}
    for follow in follows:
        key = f"digest:{follow.user_id}:{follow.team_id}:{follow.scope}:{day:%Y%m%d}"
        groups.setdefault(key, []).append(follow)
    made = _made(groups)
    return sum(
        _digest(group, now=now, dedupe_key=key) for key, group in groups.items() if key not in made
    )


def _digest(follows: list[JobFollow], *, now: datetime, dedupe_key: str) -> int:
    first = follows[0]
    user, team = first.user, first.team
    if not _address(user):
        return 0
    scope = Scope(team=team, child_key=first.scope)
    blind = blind_review_on(scope=scope, viewer=user)
    titles = dict(
        CachedInterview.objects.filter(
            team=team, scope=first.scope, key__in=[f.interview_key for f in follows]
        ).values_list("key", "title")
    )
    items, jobs, total, about = [], [], 0, []
    for follow in follows:
        new = CachedParticipant.objects.filter(
            team=team,
            scope=first.scope,
            interview_key=follow.interview_key,
            responded_at__gt=follow.digested_until,
            responded_at__lte=now,
        ).order_by("-responded_at", "pk")
        n = new.count()
        if not n:
            continue
        total += n
        jobs.append(follow.interview_key)
        title = titles.get(follow.interview_key) or follow.interview_title or "A job"
        item = f"{title}: {n} new response{'s' if n != 1 else ''}"
        if not blind:
            named = list(new[:NAMES_PER_DIGEST_ITEM])
            about.extend(p.key for p in named)
            shown = [p.name or "a candidate" for p in named]
            more = f" and {n - len(shown)} more" if n > len(shown) else ""
            item += f" ({', '.join(shown)}{more})"
        items.append(item)
    if not total:
        return 0
    if len(jobs) == 1:
        link = _team_page(scope, "dashboard:interview_detail", interview_key=jobs[0])
    else:
        link = _team_page(scope, "dashboard:interview_list")
    subject = (
        f"{total} new response{'s' if total != 1 else ''} in the jobs you follow ({team.name})"
    )
    text, html = _words(
        subject=subject,
        heading=subject,
        lines=["Since your last digest:", *_client_line(scope)],
        items=items[:MAX_DIGEST_ITEMS],
        link_url=link,
        link_label="Open the job" if len(jobs) == 1 else "Open the jobs",
        why="You get this because you follow these jobs; unfollow one on its page.",
    )
    with transaction.atomic():
        queued = member_email_queue(
            team=team,
            scope_key=first.scope,
            kind=Kind.DIGEST,
            recipient=user,
            to_email=_address(user),
            subject=subject,
            text=text,
            html=html,
            dedupe_key=dedupe_key,
            about=about,
        )
        if queued is not None:
            JobFollow.objects.filter(pk__in=[f.pk for f in follows]).update(digested_until=now)
    return int(queued is not None)


def _made(keys) -> set[str]:
    """Which of these emails (by dedupe key) were made already: one query, before any is
    rendered."""
    return set(
        OutboundEmail.objects.filter(dedupe_key__in=list(keys)).values_list("dedupe_key", flat=True)
    )


def member_emails_run(*, now: datetime | None = None) -> int:
    """Beat: the verdict summaries and the digests that are due; how many were queued."""
    return share_verdict_summaries(now=now) + member_digests(now=now)
