"""The outbox: every email is a row first, sent at most once by a task beat drains.

A member's email (a mention, a share's verdicts, a digest, a share link) is queued here at
once; a candidate's comes from a decision (services/decision_emails.py). Beat's drain
moves the waiting on, hands each due email to a task (no long countdown, which would
outlive the broker's visibility timeout) and settles claims whose worker died as UNKNOWN;
services/email_delivery.py sends. The Outbox page lists them; a member cancels, sends now
or settles one whose outcome is unknown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from dashboard.models import (
    Decision,
    OutboundEmail,
    actor_label,
    actor_username,
)
from willo_integration.services.changes import changes_mark
from willo_integration.services.decision_emails import (
    WHY_CANCELLED,
    emails_cancel_for_decisions,
    emails_release,
)
from willo_integration.services.email_templates import (
    member_name,
)
from willo_integration.services.scope import Scope

if TYPE_CHECKING:
    from dashboard.models import Team

logger = logging.getLogger("willo_integration.outbox")

State = OutboundEmail.State
Kind = OutboundEmail.Kind
DRAIN_BATCH = 200
REENQUEUE_AFTER = timedelta(minutes=2)
EMAILS_PER_PAGE = 50


class EmailNotChangeable(Exception):
    """The email is not in a state that allows this; the message says why."""


# -- members' emails ---------------------------------------------------------------------


def member_email_queue(
    *,
    team: Team,
    scope_key: str,
    kind: str,
    recipient,
    to_email: str,
    subject: str,
    text: str,
    html: str,
    dedupe_key: str,
    about: Iterable[str] = (),
    secret_link: str = "",
) -> OutboundEmail | None:
    """Queue an email to a member (or a hiring manager) to go at the next drain; None when
    the one with ``dedupe_key`` was made already. ``about``: the candidates it names (for
    erasure); ``secret_link``: what LINK_MARKER in the words stands for, kept encrypted
    until the email is sent."""
    now = timezone.now()
    email = OutboundEmail(
        team=team,
        scope=scope_key,
        kind=kind,
        state=State.QUEUED,
        recipient=recipient if getattr(recipient, "pk", None) else None,
        to_email=to_email,
        to_name=member_name(recipient) if getattr(recipient, "pk", None) else "",
        subject=subject[:300],
        text_body=text,
        html_body=html,
        dedupe_key=dedupe_key[:200],
        about_participants=about_text(about),
        secret_link=secret_link,
        send_after=now,
        next_attempt_at=now,
    )
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:
        return None
    return email


def about_text(keys: Iterable[str]) -> str:
    """How an email keeps the candidates it names: " key key " (found by " key ")."""
    keys = [key for key in dict.fromkeys(keys) if key]
    return f" {' '.join(keys)} " if keys else ""


# -- what the Outbox shows, and what a member does there ----------------------------------


@dataclass(frozen=True)
class OutboxPage:
    page: Page
    counts: dict[str, int]  # emails by state, all of the scope
    state: str  # the filter ("" = all)


def outbox_page(*, scope: Scope, state: str = "", page: int | str = 1) -> OutboxPage:
    emails = OutboundEmail.objects.filter(team=scope.team, scope=scope.key)
    counts = dict(emails.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    if state in State.values:
        emails = emails.filter(state=state)
    else:
        state = ""
    rows = emails.select_related("decision").order_by(
        # What waits comes first, soonest first; then the rest, newest first.
        F("next_attempt_at").asc(nulls_last=True),
        "-created_at",
        "-pk",
    )
    shown = Paginator(rows, EMAILS_PER_PAGE).get_page(page)
    return OutboxPage(page=shown, counts=counts, state=state)


def outbox_email(*, scope: Scope, email_id: int) -> OutboundEmail | None:
    return OutboundEmail.objects.filter(team=scope.team, scope=scope.key, pk=email_id).first()


def participant_emails(*, scope: Scope, participant_key: str) -> list[OutboundEmail]:
    return list(
        OutboundEmail.objects.filter(
            team=scope.team, scope=scope.key, participant_key=participant_key
        ).order_by("-created_at", "-pk")[:50]
    )


def email_cancel(*, scope: Scope, email_id: int, actor) -> OutboundEmail:
    email = _mine(scope, email_id)
    changed = OutboundEmail.objects.filter(
        pk=email.pk, state__in=(State.WAITING, State.QUEUED, State.FAILED, State.UNKNOWN)
    ).cancel(by=actor_username(actor))
    email.refresh_from_db()
    if not changed:
        raise EmailNotChangeable(_not_changeable(email, "cancelled"))
    logger.info("email %s cancelled by %s", email.pk, actor_label(actor))
    _marked(scope, email)
    return email


def email_send_now(*, scope: Scope, email_id: int, actor) -> OutboundEmail:
    """Send without waiting for the delay (one waiting for its decision goes as soon as
    Willo has the decision); a failed one is tried again, afresh."""
    email = _mine(scope, email_id)
    now = timezone.now()
    mine = OutboundEmail.objects.filter(pk=email.pk)
    if email.state == State.WAITING:
        changed = mine.filter(state=State.WAITING).update(delay_seconds=0)
    elif email.state in (State.QUEUED, State.FAILED):
        changed = mine.filter(state__in=(State.QUEUED, State.FAILED)).update(
            state=State.QUEUED, send_after=now, next_attempt_at=now, attempts=0, last_error=""
        )
    else:
        changed = 0
    email.refresh_from_db()
    if not changed:
        raise EmailNotChangeable(_not_changeable(email, "sent now"))
    logger.info("email %s: send now, asked by %s", email.pk, actor_label(actor))
    _marked(scope, email)
    if email.state == State.QUEUED:
        _send_soon([email.pk])
    return email


def email_resolve(*, scope: Scope, email_id: int, actor, went_out: bool) -> OutboundEmail:
    """Settle an email whose outcome is unknown: it went out (marked sent), or it did not
    (queued to be sent again, the person having checked)."""
    email = _mine(scope, email_id)
    now = timezone.now()
    fields = (
        {
            "state": State.SENT,
            "sent_at": now,
            "resolved_by_username": actor_username(actor),
            "secret_link": "",
        }
        if went_out
        else {
            "state": State.QUEUED,
            "next_attempt_at": now,
            "attempts": 0,
            "resolved_by_username": actor_username(actor),
        }
    )
    changed = OutboundEmail.objects.filter(pk=email.pk, state=State.UNKNOWN).update(**fields)
    email.refresh_from_db()
    if not changed:
        raise EmailNotChangeable(_not_changeable(email, "settled"))
    logger.info(
        "email %s of unknown outcome %s by %s",
        email.pk, "marked sent" if went_out else "queued again", actor_label(actor),
    )  # fmt: skip
    _marked(scope, email)
    if not went_out:
        _send_soon([email.pk])
    return email


def _mine(scope: Scope, email_id: int) -> OutboundEmail:
    email = outbox_email(scope=scope, email_id=email_id)
    if email is None:
        raise OutboundEmail.DoesNotExist
    return email


def _not_changeable(email: OutboundEmail, what: str) -> str:
    state = email.get_state_display().lower()
    return f"This email cannot be {what}: it is {state}."


def _marked(scope: Scope, email: OutboundEmail) -> None:
    if email.participant_key:
        changes_mark(scope=scope, participant_keys=[email.participant_key])


# -- the drain and the send --------------------------------------------------------------


@dataclass(frozen=True)
class DrainReport:
    released: int = 0
    cancelled: int = 0
    unknown: int = 0
    enqueued: int = 0


def outbox_drain() -> DrainReport:
    """Beat: move the waiting on, settle dead claims, hand each due email to a task."""
    now = timezone.now()
    released = cancelled = 0
    waiting = (
        OutboundEmail.objects.filter(state=State.WAITING)
        .exclude(decision__state=Decision.State.PENDING)
        .select_related("decision")
    )
    for email in waiting[:DRAIN_BATCH]:
        decision = email.decision
        if decision is None:
            cancelled += OutboundEmail.objects.filter(pk=email.pk, state=State.WAITING).cancel(
                reason="Its decision is gone."
            )
        elif decision.state == Decision.State.SENT:
            released += emails_release(decision=decision)
        else:
            reason = WHY_CANCELLED.get(decision.state, "Its decision does not stand.")
            cancelled += emails_cancel_for_decisions(decision_ids=[decision.pk], reason=reason)
    unknown = OutboundEmail.objects.filter(state=State.SENDING, sending_until__lt=now).update(
        state=State.UNKNOWN,
        sending_until=None,
        last_error="The worker sending it stopped; whether it went out is unknown.",
    )
    if unknown:
        logger.warning(
            "%d email(s) left sending by a worker that stopped: outcome unknown", unknown
        )
    # An email handed to a task a moment ago waits in the broker for a worker: not again
    # before REENQUEUE_AFTER (the claim would make a second task a no-op, but the queue
    # would grow while workers are behind).
    due = list(
        OutboundEmail.objects.filter(state=State.QUEUED, next_attempt_at__lte=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - REENQUEUE_AFTER))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:DRAIN_BATCH]
    )
    if due and not _eager():
        OutboundEmail.objects.filter(pk__in=due).update(enqueued_at=now)
    _enqueue(due)
    return DrainReport(released=released, cancelled=cancelled, unknown=unknown, enqueued=len(due))


def _eager() -> bool:
    from willo_integration.tasks import email_send_task

    return bool(email_send_task.app.conf.task_always_eager)


def _send_soon(email_ids: list[int]) -> None:
    """A worker sends them now; where tasks run eagerly the next drain does (a request
    never waits on a mail server)."""
    if not _eager():
        transaction.on_commit(lambda: _enqueue(email_ids))


def _enqueue(email_ids: list[int]) -> None:
    from willo_integration.tasks import email_send_task

    for email_id in email_ids:
        try:
            email_send_task.apply_async(args=[email_id])
        except Exception:  # the broker is down: the row waits for the next drain
            logger.exception("email %s is due but not enqueued; the next drain tries", email_id)
            return
