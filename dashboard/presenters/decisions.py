"""What state a decision is in, in the words a recruiter reads, and what the candidate's
decision panel shows.

One place for the candidate's panel, the table row, the notice and the history, so they
never disagree, and none says more happened than did.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import formats, timezone

from dashboard.models import Decision
from willo_integration.models import CachedParticipant
from willo_integration.services.decisions import (
    DECISION_STATUSES,
    UndoOutcome,
    participant_decisions,
)
from willo_integration.services.retry_policy import MAX_ATTEMPTS
from willo_integration.services.scope import Scope

Status = Decision.Status
VERBS = dict(Status.choices)  # the button: "Accept"
PARTICIPLES = {status: status.lower() for status in Status.values}  # "accepted"
NOUNS = {Status.ACCEPTED: "acceptance", Status.REJECTED: "rejection"}
GERUNDS = {Status.ACCEPTED: "Accepting", Status.REJECTED: "Rejecting"}
SENDING = "Sending to Willo…"
TONES = {  # phase -> the message / badge tone
    "window": "warning",
    "sending": "warning",
    "retrying": "warning",
    "sent": "success",
    "failed": "error",
    "undone": "info",
    "replaced": "info",
    "pending": "warning",
    "refused": "warning",
}
BADGES = {"warning": "badge--warn", "success": "badge--ok", "error": "badge--error"}


@dataclass(frozen=True)
class DecisionWords:
    """A decision's (or a bulk decision's) state: the sentence, and a short form for rows.

    In the undo window the seconds left are apart (``lead`` + seconds + " s"), so the page
    can count them down; ``text`` and ``label`` then hold the sentence as rendered."""

    # window, sending, retrying, sent, failed, undone, replaced; for several: pending,
    # mixed; refused: an undo that could not be done, or nothing to decide
    phase: str
    text: str
    label: str
    lead: str = ""
    label_lead: str = ""
    seconds: int = 0
    about: str = ""  # "the acceptance of Ada": whom an Undo or Retry button acts on
    after_window = SENDING  # what the countdown says once the window has passed

    @property
    def tone(self) -> str:
        return TONES.get(self.phase, "info")

    @property
    def message_class(self) -> str:
        return f"message--{self.tone}"

    @property
    def badge_class(self) -> str:
        return BADGES.get(self.tone, "badge--info")

    @property
    def counts_down(self) -> bool:
        return self.phase == "window"


def decision_words(decision: Decision) -> DecisionWords:
    name = decision.participant_name or "the candidate"
    noun = NOUNS.get(decision.status, "decision")
    return replace(_words(decision), about=f"the {noun} of {name}")


def _words(decision: Decision) -> DecisionWords:
    status = decision.status
    name = decision.participant_name or "The candidate"
    noun = NOUNS.get(status, "decision")
    if decision.state == Decision.State.SENT:
        by = decision.actor_username or "the system"
        text = f"{status} in Willo by {by} {_at(decision.sent_at or decision.updated_at)}"
        return DecisionWords("sent", text, f"{status} in Willo")
    if decision.state == Decision.State.FAILED:
        reason = decision.last_error.removeprefix("Not sent: ") or "Willo gave no reason."
        return DecisionWords("failed", f"Not sent: {reason}", f"{status}: not sent")
    if decision.state == Decision.State.UNDONE:
        by = decision.undone_by_username or "someone"
        text = f"{noun.capitalize()} undone by {by}: Willo never heard of it"
        return DecisionWords("undone", text, f"{noun.capitalize()} undone")
    if decision.state == Decision.State.SUPERSEDED:
        return DecisionWords(
            "replaced",
            "Replaced by a later decision before it was sent",
            "Replaced before it was sent",
        )
    if decision.in_undo_window:
        seconds = decision.seconds_to_send
        lead = f"{name} will be {PARTICIPLES.get(status, status)} in "
        label_lead = f"{GERUNDS.get(status, status)} in "
        return DecisionWords(
            "window",
            f"{lead}{seconds} s",
            f"{label_lead}{seconds} s",
            lead=lead,
            label_lead=label_lead,
            seconds=seconds,
        )
    now = timezone.now()
    in_flight = decision.sending_until is not None and decision.sending_until > now
    if decision.attempts == 0 or in_flight:
        attempt = f" (attempt {decision.attempts} of {MAX_ATTEMPTS})"
        text = SENDING + (attempt if decision.attempts > 1 else "")
        return DecisionWords("sending", text, text)
    attempt = f"attempt {decision.attempts + 1} of {MAX_ATTEMPTS}"
    due = decision.next_attempt_at
    when = f"Next try at {_clock(due)}" if due is not None and due > now else "Trying again now"
    reason = decision.last_error or "Willo did not confirm it."
    return DecisionWords("retrying", f"{reason} {when} ({attempt})", f"{status}: {when.lower()}")


def decisions_words(decisions: list[Decision]) -> DecisionWords:
    """A bulk decision's state: one candidate's words, or how many are in each state."""
    if len(decisions) == 1:
        return decision_words(decisions[0])
    count = len(decisions)
    status = decisions[0].status
    each = [decision_words(d) for d in decisions]
    phases = Counter(words.phase for words in each)
    if phases["window"] == count:
        seconds = min(words.seconds for words in each)
        lead = f"{count} candidates will be {PARTICIPLES.get(status, status)} in "
        return DecisionWords(
            "window", f"{lead}{seconds} s", f"{lead}{seconds} s", lead=lead, seconds=seconds
        )
    parts = [
        f"{phases[phase]} {what}"
        for phase, what in (
            ("sent", "sent to Willo"),
            ("window", "can still be undone"),
            ("sending", "being sent to Willo"),
            ("retrying", "waiting to be tried again"),
            ("failed", "not sent (Retry in their rows)"),
            ("undone", "undone: Willo never heard of them"),
            ("replaced", "replaced by a later decision before they were sent"),
        )
        if phases[phase]
    ]
    text = f"{NOUNS.get(status, 'decision').capitalize()} of {count} candidates: " + ", ".join(
        parts
    )
    if len(phases) == 1:
        return DecisionWords(each[0].phase, text, text)
    # Mixed: the state that most needs the recruiter, and never a countdown (not all have one).
    phase = next((p for p in ("failed", "retrying", "sending") if phases[p]), "")
    phase = phase or ("pending" if phases["window"] else "mixed")
    return DecisionWords(phase, text, text)


def undo_report(outcome: UndoOutcome) -> DecisionWords:
    """What *Undo all* did: how many were undone, how many could not be, and why not."""
    decisions = outcome.undone + [decision for decision, _reason in outcome.refused]
    noun = NOUNS.get(decisions[0].status, "decision") if decisions else "decision"
    parts = []
    if outcome.undone:
        count = len(outcome.undone)
        them = "it" if count == 1 else "them"
        parts.append(f"{count} {noun}{pluralize(count)} undone: Willo never heard of {them}.")
    reasons = Counter(reason for _decision, reason in outcome.refused)
    for reason, count in reasons.items():
        parts.append(f"{count} could not be undone: {reason}")
    text = " ".join(parts)
    return DecisionWords("undone" if not reasons else "refused", text, text)


@dataclass(frozen=True)
class Choice:
    """An Accept or Reject button: what it sends and what it says."""

    status: str
    label: str
    current: bool  # already what Willo has (or what is about to be sent): nothing to do

    @property
    def verb(self) -> str:
        return VERBS[self.status]


def decision_choices(participant: CachedParticipant, decision: Decision | None) -> list[Choice]:
    """Accept / Reject; once Willo has a decision, "Change to Rejected" (which Willo takes),
    and "Keep Accepted" while a change of it waits to be sent."""
    pending = decision is not None and decision.state == Decision.State.PENDING
    current = decision.status if pending and decision else participant.status
    decided = participant.status in DECISION_STATUSES
    choices = []
    for status in DECISION_STATUSES:
        label = VERBS[status]
        if decided and status != current:
            label = f"Keep {status}" if status == participant.status else f"Change to {status}"
        choices.append(Choice(status=status, label=label, current=status == current))
    return choices


def _clock(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "H:i:s")


def _at(moment: datetime) -> str:
    local = timezone.localtime(moment)
    time = formats.date_format(local, "H:i")
    if local.date() == timezone.localdate():
        return f"at {time}"
    return f"on {formats.date_format(local, 'j M')} at {time}"


def candidate_live_url(slug: str, key: str) -> str:
    """Where a candidate page's decision panel fetches itself when the candidate changed."""
    url = reverse("dashboard:participant_detail", kwargs={"slug": slug, "participant_key": key})
    return url + "?part=live"


def decision_panel_context(scope: Scope, participant: CachedParticipant) -> dict:
    """What the decision panel shows: the latest decision's state, and every decision."""
    history = participant_decisions(scope=scope, participant_key=participant.key)
    return {
        "decision": history[0] if history else None,
        "history": history,
        "live_url": candidate_live_url(scope.team.slug, participant.key),
    }
