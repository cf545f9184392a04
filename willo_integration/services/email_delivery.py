"""Sending one email of the outbox (the task's body): claim the row (SENDING, a lease; a
redelivered or doubled task finds nothing to claim), compose it (a candidate's is filled
in now), send it, record what happened. A refusal before the message went out, or no
connection, queues it again after a backoff (FAILED after the last attempt or at once on
a permanent 5xx); once the server accepted DATA, a lost connection leaves the outcome
UNKNOWN for a person to settle: it is never sent again blindly.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formataddr, make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email
from django.db.models import F
from django.utils import timezone

from dashboard.email_records import LINK_MARKER
from dashboard.models import Decision, OutboundEmail
from willo_integration.models import CachedParticipant
from willo_integration.services.changes import changes_mark
from willo_integration.services.email_templates import (
    RenderedEmail,
    TemplateInvalid,
    candidate_facts,
    email_render,
    member_name,
)
from willo_integration.services.retry_policy import next_attempt_in
from willo_integration.services.scope import Scope

logger = logging.getLogger("willo_integration.outbox")

State = OutboundEmail.State
MAX_EMAIL_ATTEMPTS = 5


@dataclass(frozen=True)
class SendOutcome:
    email: OutboundEmail | None  # None: not claimed (not due, or another has it)


def email_send(*, email_id: int) -> SendOutcome:
    """One attempt at a due email (the task's body): claim it, compose, send, record."""
    email = _claim(email_id)
    if email is None:
        return SendOutcome(email=None)
    why_not = _why_not_any_more(email)
    if why_not:
        _finish(email, state=State.CANCELLED, cancelled_at=timezone.now(), last_error=why_not)
        return SendOutcome(email=email)
    try:
        message = _compose(email)
    except (ValidationError, ValueError) as exc:  # TemplateInvalid, a header that cannot be
        reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return SendOutcome(email=_failed(email, reason))
    except Exception as exc:  # nothing went out: not to be left SENDING, then UNKNOWN
        logger.exception("email %s: composing it failed", email.pk)
        _refused(email, f"The email could not be made: {exc!r}", permanent=False)
        return SendOutcome(email=email)
    _deliver(email, message)
    return SendOutcome(email=email)


def lease_seconds() -> int:
    return int(3 * settings.EMAIL_TIMEOUT) + 10


def _claim(email_id: int) -> OutboundEmail | None:
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(
        pk=email_id, state=State.QUEUED, next_attempt_at__lte=now
    ).update(
        state=State.SENDING,
        sending_until=now + timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
        enqueued_at=None,  # out of the broker: a retry is the drain's to hand on again
    )
    if not claimed:
        return None
    return OutboundEmail.objects.select_related("team", "decision").get(pk=email_id)


def _why_not_any_more(email: OutboundEmail) -> str:
    """A candidate's email goes only while its decision stands: sent, and the latest."""
    if not email.for_candidate:
        return ""
    decision = email.decision
    if decision is None or decision.state != Decision.State.SENT:
        return "Its decision is not the one Willo has any more."
    later = (
        Decision.objects.filter(
            team_id=email.team_id,
            scope=email.scope,
            participant_key=email.participant_key,
            created_at__gt=decision.created_at,
        )
        .exclude(state__in=(Decision.State.UNDONE,))
        .exists()
    )
    return "A later decision changed it." if later else ""


def _compose(email: OutboundEmail) -> EmailMultiAlternatives:
    """The message; a candidate's is rendered now (and its words kept on the row)."""
    try:
        validate_email(email.to_email)
    except ValidationError:
        raise ValidationError(f"{email.to_email!r} is not a valid email address.") from None
    team = email.team
    reply_to: list[str] = []
    # A name with a line break (Willo's, or a sender name) would break the header.
    to_name = " ".join(email.to_name.split())
    if email.for_candidate:
        rendered = candidate_email_words(email)
        email.subject, email.text_body, email.html_body = (
            rendered.subject,
            rendered.text,
            rendered.html,
        )
        if team.email_reply_to:
            reply_to = [team.email_reply_to]
        sender = " ".join((team.email_sender_name or team.name).split())
    else:
        sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[0] or "Willo dashboard"
    email.message_id = email.message_id or make_msgid(domain=_domain())
    OutboundEmail.objects.filter(pk=email.pk).update(
        subject=email.subject,
        text_body=email.text_body,
        html_body=email.html_body,
        message_id=email.message_id,
    )
    text, html = email.text_body, email.html_body
    if email.secret_link:  # kept encrypted, never in the words stored
        link = email.secret_link.reveal()
        text, html = text.replace(LINK_MARKER, link), html.replace(LINK_MARKER, link)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=text,
        from_email=formataddr((sender, parseaddr(settings.DEFAULT_FROM_EMAIL)[1])),
        to=[formataddr((to_name, email.to_email)) if to_name else email.to_email],
        reply_to=reply_to,
        headers={
            "Message-ID": email.message_id,
            "Auto-Submitted": "auto-generated",
            "X-Dashboard-Email": str(email.pk),
        },
    )
    if html:
        message.attach_alternative(html, "text/html")
    # What the backend would refuse (ValueError) before connecting: refused here, for good.
    for address in [message.from_email, *message.recipients()]:
        sanitize_address(address, message.encoding or settings.DEFAULT_CHARSET)
    message.message()
    return message


def candidate_email_words(email: OutboundEmail) -> RenderedEmail:
    """A candidate's email filled in as it would go now; TemplateInvalid if it cannot be."""
    template = email.template
    if template is None:
        raise TemplateInvalid("Its template was deleted.")
    scope = Scope(team=email.team, child_key=email.scope)
    participant = CachedParticipant.objects.filter(
        team=email.team, scope=email.scope, key=email.participant_key
    ).first()
    if participant is None:
        raise TemplateInvalid("The candidate is no longer here.")
    decided_by = email.decision.actor if email.decision else None
    facts = candidate_facts(
        scope=scope,
        participant=participant,
        job_title=email.interview_title,
        recruiter_name=member_name(decided_by) or email.created_by_username,
    )
    return email_render(subject=template.subject, body=template.body, facts=facts, team=email.team)


def _domain() -> str:
    host = urlsplit(settings.DASHBOARD_PUBLIC_URL).hostname
    return host or "willo-dashboard.invalid"


def _deliver(email: OutboundEmail, message: EmailMultiAlternatives) -> None:
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        permanent = all(code >= 500 for code in codes)
        detail = "; ".join(
            f"{code} {reply.decode(errors='replace')}" for code, reply in exc.recipients.values()
        )
        _refused(email, f"The mail server refused the address: {detail}", permanent=permanent)
    except smtplib.SMTPResponseException as exc:
        # The server answered: a definite no, even after DATA.
        reply = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        _refused(
            email,
            f"The mail server refused it: {exc.smtp_code} {reply}",
            permanent=exc.smtp_code >= 500,
        )
    except Exception as exc:
        if getattr(connection, "message_underway", False):
            # Whatever broke, the server had the message and did not answer: never again
            # blindly.
            _finish(
                email,
                state=State.UNKNOWN,
                last_error=(
                    "The connection to the mail server was lost after the message was sent: "
                    f"it may have gone out ({type(exc).__name__}). Check, then mark it sent "
                    "or send it again."
                )[:500],
            )
            logger.warning("email %s: outcome unknown (%s)", email.pk, type(exc).__name__)
        elif isinstance(exc, smtplib.SMTPException | OSError):
            _refused(
                email,
                f"Could not reach the mail server: {exc or type(exc).__name__}",
                permanent=False,
            )
        else:
            logger.exception("email %s: the email backend failed", email.pk)
            _refused(email, f"The email backend failed: {exc!r}", permanent=False)
    else:
        _finish(email, state=State.SENT, sent_at=timezone.now(), last_error="")
        logger.info("email %s (%s) sent after %s attempt(s)", email.pk, email.kind, email.attempts)
    finally:
        try:
            connection.close()
        except Exception:
            logger.debug("email %s: closing the connection failed", email.pk)


def _refused(email: OutboundEmail, reason: str, *, permanent: bool) -> None:
    countdown = (
        None if permanent else next_attempt_in(email.attempts, max_attempts=MAX_EMAIL_ATTEMPTS)
    )
    if countdown is None:
        _failed(email, reason)
        return
    _finish(
        email,
        state=State.QUEUED,
        next_attempt_at=timezone.now() + timedelta(seconds=countdown),
        last_error=reason[:500],
    )
    logger.warning("email %s not sent (attempt %s): %s", email.pk, email.attempts, reason)


def _failed(email: OutboundEmail, reason: str) -> OutboundEmail:
    _finish(email, state=State.FAILED, next_attempt_at=None, last_error=reason[:500])
    logger.warning("email %s failed: %s", email.pk, reason)
    return email


def _finish(email: OutboundEmail, **fields) -> None:
    """Record this attempt's outcome, if its claim still holds: one whose lease ran out is
    UNKNOWN (or settled by a person, or claimed again), and stays so."""
    if fields.get("state") in (State.SENT, State.FAILED, State.CANCELLED):
        fields["secret_link"] = ""  # a share's link is not kept once its email is done
    recorded = OutboundEmail.objects.filter(
        pk=email.pk, state=State.SENDING, sending_until=email.sending_until
    ).update(sending_until=None, updated_at=timezone.now(), **fields)
    if not recorded:
        logger.warning(
            "email %s: the attempt ended (%s) after its claim ran out; not recorded",
            email.pk, fields.get("state", ""),
        )  # fmt: skip
    email.refresh_from_db()
    if email.participant_key:
        changes_mark(
            scope=Scope(team=email.team, child_key=email.scope),
            participant_keys=[email.participant_key],
        )
