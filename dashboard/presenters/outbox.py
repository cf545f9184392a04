"""The Outbox as a member sees it: whom each email is to (a candidate by number for a
member reviewing blind), what it is, where it stands in words, and what can be done."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from dashboard.email_forms import FirstNameForm, delay_label
from dashboard.email_records import LINK_MARKER
from dashboard.models import OutboundEmail
from dashboard.presenters.blind import masking_for
from willo_integration.services.blind import candidates_named
from willo_integration.services.decision_emails import QueueReport, decision_email_offer
from willo_integration.services.email_delivery import candidate_email_words
from willo_integration.services.email_templates import TemplateInvalid, candidate_first_name
from willo_integration.services.outbox import OutboxPage, participant_emails
from willo_integration.services.scope import Scope

State = OutboundEmail.State
TONES = {
    State.WAITING: "info",
    State.QUEUED: "info",
    State.SENDING: "info",
    State.SENT: "ok",
    State.FAILED: "error",
    State.UNKNOWN: "warn",
    State.CANCELLED: "",
}


@dataclass(frozen=True)
class OutboxRow:
    email: OutboundEmail
    to: str  # as this member may see it
    address: str  # "" when masked
    state: str
    tone: str
    when: str  # where it stands in time, in words
    candidate_url: str

    @property
    def can_cancel(self) -> bool:
        return self.email.state in (State.WAITING, State.QUEUED, State.FAILED, State.UNKNOWN)

    @property
    def can_send_now(self) -> bool:
        return self.email.state in (State.WAITING, State.QUEUED, State.FAILED)

    @property
    def unknown(self) -> bool:
        return self.email.state == State.UNKNOWN


def outbox_rows(*, scope: Scope, viewer, emails) -> list[OutboxRow]:
    emails = list(emails)
    keys = [e.participant_key for e in emails if e.participant_key]
    candidates = candidates_named(scope=scope, keys=keys)
    masking = masking_for(scope=scope, viewer=viewer, rows=candidates)
    rows = []
    for email in emails:
        masked = bool(email.participant_key) and masking.hides(email.participant_key)
        to = (
            masking.name(email.participant_key, email.to_name or email.participant_name)
            if email.participant_key
            else email.to_name or email.to_email
        )
        url = (
            reverse(
                "dashboard:participant_detail",
                kwargs={"slug": scope.team.slug, "participant_key": email.participant_key},
            )
            if email.participant_key
            else ""
        )
        rows.append(
            OutboxRow(
                email=email,
                to=to or email.to_email,
                address="" if masked else email.to_email,
                state=email.get_state_display(),
                tone=TONES[email.state],
                when=_when(email),
                candidate_url=url,
            )
        )
    return rows


def outbox_tabs(shown: OutboxPage) -> list[dict]:
    """All, then each state with its count (the states with none after the others)."""
    total = sum(shown.counts.values())
    tabs = [{"value": "", "label": "All", "count": total, "current": not shown.state}]
    for value, label in State.choices:
        count = shown.counts.get(value, 0)
        if count or shown.state == value:
            tabs.append(
                {"value": value, "label": label, "count": count, "current": shown.state == value}
            )
    return tabs


def _when(email: OutboundEmail) -> str:
    now = timezone.now()
    local = timezone.localtime
    match email.state:
        case State.WAITING:
            return f"Goes {delay_label(email.delay_seconds // 3600)}"
        case State.QUEUED:
            due = email.next_attempt_at or email.send_after
            if due is None or due <= now:
                return "Goes within a minute"
            again = " (again)" if email.attempts else ""
            return f"Goes{again} at {local(due):%-d %b %H:%M}"
        case State.SENDING:
            return "Being sent"
        case State.SENT:
            return f"Sent {local(email.sent_at):%-d %b %H:%M}" if email.sent_at else "Sent"
        case State.CANCELLED:
            at = email.cancelled_at
            return f"Cancelled {local(at):%-d %b %H:%M}" if at else "Cancelled"
        case _:
            return f"After {email.attempts} attempt{'s' if email.attempts != 1 else ''}"


def email_words(*, email: OutboundEmail, viewer) -> dict:
    """What the email says: as kept (sent, or a member's email), or, for a candidate's not
    sent yet, as it would go now; an error in words when it cannot be filled in. A member's
    email is theirs to read (it may quote notes, or name candidates a colleague reviews
    blind); a share's link is never shown again."""
    if not email.for_candidate:
        if email.recipient_id is not None and email.recipient_id != viewer.pk:
            return {"private": f"Only {email.to_name or 'its recipient'} reads what it says."}
        text = email.text_body.replace(LINK_MARKER, "[the link: sent once, not kept]")
        return {"subject": email.subject, "text": text, "kept": True}
    if email.subject and email.state == State.SENT:
        return {"subject": email.subject, "text": email.text_body, "kept": True}
    try:
        rendered = candidate_email_words(email)
    except TemplateInvalid as exc:
        return {"error": str(exc)}
    return {"subject": rendered.subject, "text": rendered.text, "kept": False}


def queue_report_words(report: QueueReport, hours: int) -> str:
    """What offering an email did, in a sentence or two for the notice."""
    parts = []
    if report.queued:
        first = report.queued[0]
        who = first.to_name if len(report.queued) == 1 else f"{len(report.queued)} candidates"
        kind = first.get_kind_display()
        parts.append(f"{kind} email to {who} queued: it goes {delay_label(hours)}.")
    for name, why in report.skipped[:5]:
        parts.append(f"No email to {name}: {why}.")
    if len(report.skipped) > 5:
        parts.append(f"And {len(report.skipped) - 5} more without one.")
    return " ".join(parts)


def candidate_emails_context(*, scope: Scope, participant, viewer, latest) -> dict:
    """The candidate page's Emails card: their emails, the one their latest decision may
    still have (when the notice that offered it is gone), and the first name they greet.
    ``latest``: their latest decision, as the page's decision panel read it."""
    emails = participant_emails(scope=scope, participant_key=participant.key)
    first = candidate_first_name(scope=scope, participant=participant)
    return {
        "candidate_emails": outbox_rows(scope=scope, viewer=viewer, emails=emails),
        "email_offer": decision_email_offer(scope=scope, decisions=[latest] if latest else []),
        "first_name_form": FirstNameForm(initial={"first_name": first}),
        "first_name": first,
    }
