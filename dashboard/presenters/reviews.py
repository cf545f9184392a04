"""What the pages show of the team's reviews: the tally chart, the review form's answers,
and a candidate's review panel."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from dashboard.presenters.participants import AnswerView
from willo_integration.services.reviews import (
    RATINGS,
    CandidateReviews,
    Recommendation,
    ReviewTally,
    participant_reviews,
)
from willo_integration.services.scope import Scope

CHART_WIDTH = 100  # the tally bar's viewBox width: a segment per recommendation
TONES = {
    Recommendation.STRONG_YES: "strong-yes",
    Recommendation.YES: "yes",
    Recommendation.NO: "no",
    Recommendation.STRONG_NO: "strong-no",
}


@dataclass(frozen=True)
class Segment:
    value: str
    label: str
    count: int
    x: float
    width: float
    tone: str


def tally_segments(tally: ReviewTally | None) -> list[Segment]:
    """The tally as a stacked bar, strongest yes first; [] when nobody has recommended."""
    if tally is None or not tally.reviews:
        return []
    segments, x = [], 0.0
    for value, label, count in tally.bars():
        width = CHART_WIDTH * count / tally.reviews
        segments.append(Segment(value, label, count, x, width, TONES[value]))
        x += width
    return segments


@dataclass(frozen=True)
class RatedAnswer:
    """An answer as the review form lists it: its number and question, and my rating."""

    key: str
    number: int
    question: str
    rating: int | None


def rated_answers(answers: list[AnswerView], mine: dict[str, int]) -> list[RatedAnswer]:
    return [
        RatedAnswer(a.key, a.number, a.question_text or "", mine.get(a.key))
        for a in answers
        if a.key
    ]


def _rating(value) -> int | None:
    return int(value) if value in {str(n) for n in RATINGS} else None


def review_panel_context(
    scope: Scope, participant_key: str, viewer, answers: list[AnswerView], posted=None
) -> dict:
    """The candidate page's review panel: my review form (with ``posted``, a form that was
    refused, what I had entered), and the team's reviews as I may see them (independent
    review hides them until I recommend)."""
    reviews: CandidateReviews = participant_reviews(
        scope=scope, participant_key=participant_key, viewer=viewer
    )
    mine = dict(reviews.my_ratings)
    chosen = reviews.mine.recommendation if reviews.mine else ""
    if posted is not None:
        chosen = posted.get("recommendation", "")
        mine = {a.key: _rating(posted.get(f"rating-{a.key}")) for a in answers if a.key}
    numbers = {a.key: a.number for a in answers}
    for review in reviews.others:
        review.rated = sorted(
            ((numbers.get(k), r) for k, r in review.rating_map.items() if k in numbers),
            key=lambda pair: pair[0],
        )
    return {
        "reviews": reviews,
        "rated_answers": rated_answers(answers, mine),
        "chosen_recommendation": chosen,
        "recommendations": Recommendation.choices,
        "ratings": list(RATINGS),
        "tally": reviews.tally,
        "segments": tally_segments(reviews.tally),
        "review_url": reverse(
            "dashboard:participant_review",
            kwargs={"slug": scope.team.slug, "participant_key": participant_key},
        ),
    }
