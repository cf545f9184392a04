"""The candidate page's panels that change as the team works: the decision, Willo's comments
and scores, the team's reviews, the notes and the timeline. Built once for the whole page
and for its live refresh, each source read once."""

from __future__ import annotations

from dataclasses import replace

from dashboard.presenters.blind import NOT_BLIND, Masking, Redactor
from dashboard.presenters.decisions import decision_panel_context
from dashboard.presenters.notes import NoteView, notes_context
from dashboard.presenters.participants import AnswerView, willo_feedback_context
from dashboard.presenters.reviews import review_panel_context
from dashboard.presenters.timeline import timeline_context
from willo_integration.models import CachedParticipant
from willo_integration.services.scope import Scope


def candidate_panels_context(
    *,
    membership,
    scope: Scope,
    participant: CachedParticipant,
    answers: list[AnswerView],
    viewer,
    masking: Masking = NOT_BLIND,
    **notes,
) -> dict:
    """``notes``: what the notes panel takes besides (``with_form``, ``draft``);
    ``masking``: blind review's, applied to decisions and to what others wrote."""
    decisions = decision_panel_context(scope, participant)
    feedback = willo_feedback_context(scope, participant)
    reviews = review_panel_context(scope, participant.key, viewer, answers)
    noted = notes_context(
        membership=membership, scope=scope, participant_key=participant.key, **notes
    )
    seen = reviews["reviews"]
    timeline = timeline_context(
        scope,
        participant,
        decisions=decisions["history"],
        feedback=feedback["willo_feedback"],
        notes=[view.note for view in noted["notes"]],
        reviews=[r for r in (seen.mine, *seen.others) if r is not None],
    )
    if masking.hides(participant.key):
        decisions |= {
            "decision": masking.decisions([decisions["decision"]])[0],
            "history": masking.decisions(decisions["history"]),
        }
        masking.redact_reviews(participant, seen)
        _redact_panels(masking.redactor(participant), feedback, noted, timeline)
    return {**decisions, **feedback, **reviews, **noted, **timeline}


def _redact_panels(redact: Redactor, feedback, noted, timeline) -> None:
    """Blind review: the candidate's name and contact details out of what others wrote.
    (The member's own review note stays as typed: it is a form they may save again.)"""
    for comment in feedback["willo_feedback"].comments:
        comment.text = redact(comment.text)
    noted["notes"] = [
        NoteView(view.note, [replace(p, text=redact(p.text)) for p in view.pieces])
        for view in noted["notes"]
    ]
    timeline["timeline"] = [
        replace(entry, detail=redact(entry.detail)) for entry in timeline["timeline"]
    ]
