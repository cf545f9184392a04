"""The candidate's timeline in words: one line per event, who and when, and what was said."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dashboard.presenters.decisions import NOUNS, VERBS
from willo_integration.services.scope import Scope
from willo_integration.services.timeline import Event, participant_timeline


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str
    who: str
    text: str
    detail: str = ""  # what was written: a note, a review note, a comment
    scores: tuple[tuple[str, str], ...] = ()  # a Willo score's criteria and their scores
    in_willo: bool = False


def _decision(event: Event) -> str:
    noun = NOUNS[event.facts["status"]]
    who = event.actor or "The system"
    return {
        "decision_recorded": f"{who} decided: {VERBS[event.facts['status']]}",
        "decision_undone": f"{who} undid the {noun} before it was sent",
        "decision_replaced": f"The {noun} was replaced by a newer decision before it was sent",
        "decision_failed": f"The {noun} did not reach Willo: {event.facts.get('reason', '')}",
        "decision_sent": f"Willo confirmed the {noun}",
    }[event.kind]


def _review(event: Event) -> str:
    facts = event.facts
    said = facts["recommendation"] or "no recommendation yet"
    if facts["changed"] and facts["previous"] != facts["recommendation"]:
        said = f"{facts['previous'] or 'none'} → {said}"
    rated = ""
    if facts["rated"]:
        rated = f"; {facts['rated']} answer{'s' if facts['rated'] != 1 else ''} rated"
        rated += f", average {facts['average']:.1f} of 5"
    verb = "changed their review" if facts["changed"] else "reviewed"
    return f"{event.actor} {verb}: {said}{rated}"


def entry_of(event: Event) -> Entry:
    """One event in words."""
    kind, who, facts = event.kind, event.actor, event.facts
    detail, scores = "", ()
    if kind.startswith("decision_"):
        text = _decision(event)
    elif kind == "review":
        text, detail = _review(event), facts["note"]
    elif kind == "note":
        text, detail = f"{who} wrote a note", facts["text"]
    elif kind == "invited":
        text = "Invited to the interview in Willo"
    elif kind == "status":
        text = f"Status in Willo: {facts['status']}" + (f", by {who}" if who else "")
    elif kind == "identity_revealed":
        text = f"{who} revealed the identity check's masked details"
    elif kind == "blind_revealed":
        text = (
            f"{who} decided, which revealed who the candidate is (blind review)"
            if facts.get("reason") == "decided"
            else f"{who} revealed who the candidate is (blind review)"
        )
    elif kind == "share_verdict":
        verb = "changed their verdict to" if facts["changed"] else "said"
        text = f"{who} (hiring manager, through a share link) {verb} {facts['verdict']}"
        detail = facts["comment"]
    elif kind == "email":
        label = facts["kind"].lower()
        if facts["state"] == "sent":
            text = f"The {label} email “{facts['subject']}” was sent by this dashboard"
        elif facts["state"] == "unknown":
            text = f"The {label} email may or may not have gone out (see the Outbox)"
        else:
            text = f"The {label} email could not be sent"
            detail = facts["reason"]
    elif kind == "willo_comment":
        text, detail = f"{who or 'Someone'} commented in Willo", facts["text"]
    elif kind == "willo_score":
        general = facts.get("general_score")
        text = f"{who or 'Someone'} scored in Willo" + (f": {general}" if general else "")
        scores = tuple(facts.get("criteria", ()))
    else:
        text = kind
    return Entry(event.at, kind, who, text, detail, scores, event.in_willo)


def timeline_context(scope: Scope, participant, **read) -> dict:
    """The candidate's timeline from what the page's panels have ``read`` of them
    (``decisions``, ``feedback``, ``notes``, ``reviews``: see participant_timeline)."""
    events = participant_timeline(scope=scope, participant=participant, **read)
    return {"timeline": [entry_of(event) for event in events]}
