"""The candidate page's panels that change as the team works: the decision, Willo's comments
and scores, the team's reviews, the notes and the timeline. Built once for the whole page
and for its live refresh, each source read once."""

from __future__ import annotations

from dashboard.presenters.decisions import decision_panel_context
from dashboard.presenters.notes import notes_context
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
    **notes,
) -> dict:
    """``notes``: what the notes panel takes besides (``with_form``, ``draft``)."""
    decisions = decision_panel_context(scope, participant)
    feedback = willo_feedback_context(scope, participant)
    reviews = review_panel_context(scope, participant.key, viewer, answers)
    noted = notes_context(
        membership=membership, scope=scope, participant_key=participant.key, **notes
    )
    seen = reviews["reviews"]
    return {
        **decisions,
        **feedback,
        **reviews,
        **noted,
        **timeline_context(
            scope,
            participant,
            decisions=decisions["history"],
            feedback=feedback["willo_feedback"],
            notes=[view.note for view in noted["notes"]],
            reviews=[r for r in (seen.mine, *seen.others) if r is not None],
        ),
    }
