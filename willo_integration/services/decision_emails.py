"""A candidate's email from a decision (a rejection's, an acceptance's next steps): offered
by the decision's notice, queued from the job's template, WAITING until Willo has the
decision, then QUEUED for its delay; cancelled by itself when the decision is undone,
replaced, changed or fails. At most one per candidate, job and kind is ever sent (a
constraint over the emails not cancelled).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from dashboard.models import (
    EMAIL_MAX_DELAY_HOURS,
    Decision,
    EmailTemplate,
    OutboundEmail,
    actor_label,
    actor_username,
)
from willo_integration.models import CachedParticipant
from willo_integration.services.changes import changes_mark
from willo_integration.services.email_templates import job_template
from willo_integration.services.scope import Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


logger = logging.getLogger("willo_integration.outbox")

State = OutboundEmail.State
Kind = OutboundEmail.Kind
KIND_OF_DECISION = {
    Decision.Status.REJECTED: Kind.REJECTION,
    Decision.Status.ACCEPTED: Kind.NEXT_STEPS,
}
WHY_CANCELLED = {
    Decision.State.UNDONE: "Its decision was undone.",
    Decision.State.SUPERSEDED: "A later decision replaced its decision.",
    Decision.State.FAILED: "Its decision could not be sent to Willo.",
}


# -- candidates' emails, from decisions --------------------------------------------------


@dataclass
class QueueReport:
    """What offering the email to some decisions did: the emails made, and each candidate
    left without one, with why."""

    queued: list[OutboundEmail] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (candidate, why)


def decision_emails_queue(
    *,
    scope: Scope,
    decisions: list[Decision],
    delay_hours: int,
    actor: AbstractBaseUser | None,
) -> QueueReport:
    """Queue each decision's email (a rejection's or an acceptance's, the job's template)
    to go ``delay_hours`` after the decision reaches Willo; never for one that failed,
    was undone or replaced, and never a second for the same candidate, job and kind."""
    if not 0 <= delay_hours <= EMAIL_MAX_DELAY_HOURS:
        raise ValueError(f"An email goes between now and {EMAIL_MAX_DELAY_HOURS} h after.")
    report = QueueReport()
    keys = [d.participant_key for d in decisions]
    participants = {
        p.key: p
        for p in CachedParticipant.objects.filter(
            team=scope.team, scope=scope.key, key__in=keys
        ).select_related("interview")  # the job's title, for each email
    }
    for decision in decisions:
        participant = participants.get(decision.participant_key)
        name = (participant and participant.name) or decision.participant_name or "A candidate"
        why = _why_no_email(scope, decision, participant)
        if why:
            report.skipped.append((name, why))
            continue
        kind = KIND_OF_DECISION[decision.status]
        template = job_template(scope=scope, interview_key=participant.interview_key, kind=kind)
        if template is None:
            label = EmailTemplate.Kind(kind).label.lower()
            report.skipped.append((name, f"the job has no {label} template"))
            continue
        sent = decision.state == Decision.State.SENT
        send_after = decision.sent_at + timedelta(hours=delay_hours) if sent else None
        email = OutboundEmail(
            team=scope.team,
            scope=scope.key,
            kind=kind,
            state=State.QUEUED if sent else State.WAITING,
            participant_key=participant.key,
            participant_name=participant.name,
            interview_key=participant.interview_key,
            interview_title=_title(participant),
            decision=decision,
            template=template,
            to_email=participant.email,
            to_name=participant.name,
            delay_seconds=delay_hours * 3600,
            send_after=send_after,
            next_attempt_at=send_after,
            created_by_username=actor_username(actor),
        )
        try:
            with transaction.atomic():
                email.save()
        except IntegrityError:
            report.skipped.append((name, "an email of this kind is already there for this job"))
            continue
        report.queued.append(email)
    if report.queued:
        changes_mark(scope=scope, participant_keys=[e.participant_key for e in report.queued])
        logger.info(
            "%d email(s) queued by %s in %r, %d h after their decision reaches Willo",
            len(report.queued), actor_label(actor), scope, delay_hours,
        )  # fmt: skip
    return report


def _why_no_email(scope: Scope, decision: Decision, participant: CachedParticipant | None) -> str:
    if decision.team_id != scope.team.pk or decision.scope != scope.key:
        return "not a decision of this team"
    if participant is None:
        return "the candidate is no longer here"
    if decision.state not in (Decision.State.PENDING, Decision.State.SENT):
        return f"the decision was {decision.get_state_display().lower()}"
    if not participant.email:
        return "Willo has no email address for them"
    if not participant.interview_key:
        return "their job is not known yet"
    return ""


def _title(participant: CachedParticipant) -> str:
    interview = participant.interview
    return interview.title if interview is not None else ""


@dataclass(frozen=True)
class EmailOffer:
    """What a decision's notice may offer: the kind of email, its template's name (when
    one), the decisions that could have one, and how many of them already have one."""

    kind: str = ""
    label: str = ""
    template: str = ""
    decision_ids: tuple[int, ...] = ()
    delay_hours: int = 24
    queued: int = 0


def decision_email_offer(*, scope: Scope, decisions: list[Decision]) -> EmailOffer:
    """The email the notice of ``decisions`` (one status) offers; empty when none can be."""
    live = [d for d in decisions if d.state in (Decision.State.PENDING, Decision.State.SENT)]
    if not live or len({d.status for d in live}) != 1:
        return EmailOffer()
    kind = KIND_OF_DECISION[live[0].status]
    keys = [d.participant_key for d in live]
    has_one = set(
        OutboundEmail.objects.filter(
            team=scope.team, scope=scope.key, participant_key__in=keys, kind=kind
        )
        .exclude(state=State.CANCELLED)
        .values_list("participant_key", flat=True)
    )
    reachable = CachedParticipant.objects.filter(
        team=scope.team, scope=scope.key, key__in=[k for k in keys if k not in has_one]
    ).exclude(email="")
    jobs = dict(reachable.values_list("key", "interview_key"))
    templates = {
        job: job_template(scope=scope, interview_key=job, kind=kind)
        for job in set(jobs.values())
        if job
    }
    offered = {key for key, job in jobs.items() if templates.get(job) is not None}
    names = {t.name for t in templates.values() if t is not None}
    return EmailOffer(
        kind=kind,
        label=EmailTemplate.Kind(kind).label,
        template=next(iter(names)) if len(names) == 1 else "",
        decision_ids=tuple(d.pk for d in live if d.participant_key in offered),
        delay_hours=scope.team.email_delay_hours,
        queued=len(has_one),
    )


def emails_release(*, decision: Decision) -> int:
    """The decision reached Willo: its waiting emails are queued for their delay."""
    waiting = OutboundEmail.objects.filter(decision=decision, state=State.WAITING)
    count = 0
    for email in waiting:
        email.send_after = (decision.sent_at or timezone.now()) + timedelta(
            seconds=email.delay_seconds
        )
        count += OutboundEmail.objects.filter(pk=email.pk, state=State.WAITING).update(
            state=State.QUEUED, send_after=email.send_after, next_attempt_at=email.send_after
        )
    return count


def emails_cancel_for_decisions(*, decision_ids: list[int], reason: str, by: str = "") -> int:
    """Cancel the unsent emails of these decisions (undone, replaced, failed, changed)."""
    cancelled = OutboundEmail.objects.filter(
        decision_id__in=decision_ids, state__in=(State.WAITING, State.QUEUED)
    ).cancel(reason=reason, by=by)
    if cancelled:
        logger.info("%d email(s) cancelled: %s", cancelled, reason)
    return cancelled


def emails_cancel_for_candidates(*, scope: Scope, participant_keys: list[str], reason: str) -> int:
    """Cancel the candidates' unsent emails that came from decisions (one query): a new
    decision on them replaces what those said."""
    cancelled = OutboundEmail.objects.filter(
        team=scope.team,
        scope=scope.key,
        participant_key__in=participant_keys,
        decision__isnull=False,
        state__in=(State.WAITING, State.QUEUED),
    ).cancel(reason=reason)
    if cancelled:
        logger.info("%d email(s) cancelled: %s", cancelled, reason)
    return cancelled


def emails_cancel_for_template(*, template: EmailTemplate, actor) -> int:
    return OutboundEmail.objects.filter(
        template=template, state__in=(State.WAITING, State.QUEUED, State.FAILED)
    ).cancel(reason="Its template was deleted.", by=actor_username(actor))
