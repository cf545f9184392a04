"""Willo's own comments and scores on a candidate: what the new_comment and new_score
deliveries brought (Willo's API has no way to list them, so nothing older than the
team's webhook registration is known)."""

from __future__ import annotations

from dataclasses import dataclass

from willo_integration.models import WilloComment, WilloScore
from willo_integration.services.scope import Scope


@dataclass(frozen=True)
class WilloFeedback:
    """A candidate's comments and scores from Willo, each newest first."""

    comments: list[WilloComment]
    scores: list[WilloScore]

    def __bool__(self) -> bool:
        return bool(self.comments or self.scores)


def participant_willo_feedback(*, scope: Scope, key: str) -> WilloFeedback:
    """The candidate's comments and scores in this scope, newest first: two queries, however
    many there are."""
    where = {"team": scope.team, "scope": scope.key, "participant_key": key}
    return WilloFeedback(
        comments=list(WilloComment.objects.filter(**where).order_by("-created_at", "-pk")),
        scores=list(WilloScore.objects.filter(**where).order_by("-scored_at", "-pk")),
    )
