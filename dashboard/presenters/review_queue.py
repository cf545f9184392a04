"""What review mode shows: the queue page, and one candidate made for reviewing (the
answers first, the recommendation and decision in a bar that stays in view)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from dashboard.presenters.blind import masking_for
from dashboard.presenters.decisions import decision_panel_context
from dashboard.presenters.participants import AnswerView, answer_views, questions_of
from dashboard.presenters.reviews import review_panel_context
from willo_integration.models import CachedParticipant
from willo_integration.services.preferences import SPEEDS
from willo_integration.services.review_queue import (
    ORDER_LABELS,
    QueueFilter,
    QueuePlace,
)
from willo_integration.services.reviews import Recommendation
from willo_integration.services.scope import Scope

# The recommendation bar: each recommendation with its key (the strong ones shifted).
RECOMMENDATION_KEYS = {
    Recommendation.STRONG_YES: "Y",
    Recommendation.YES: "y",
    Recommendation.NO: "n",
    Recommendation.STRONG_NO: "N",
}


@dataclass(frozen=True)
class RecommendationButton:
    value: str
    label: str
    key: str
    chosen: bool


def queue_url(slug: str, queue: QueueFilter) -> str:
    url = reverse("dashboard:review_queue", kwargs={"slug": slug})
    query = queue.as_query()
    return f"{url}?{query}" if query else url


def review_url(slug: str, key: str | None, queue: QueueFilter) -> str:
    """A candidate in review mode, in the same queue; "" for none."""
    if key is None:
        return ""
    url = reverse("dashboard:review_candidate", kwargs={"slug": slug, "participant_key": key})
    query = queue.as_query()
    return f"{url}?{query}" if query else url


def recommendation_buttons(chosen: str) -> list[RecommendationButton]:
    return [
        RecommendationButton(value, label, RECOMMENDATION_KEYS[value], value == chosen)
        for value, label in Recommendation.choices
    ]


def queue_orders(queue: QueueFilter) -> list[tuple[str, str, str]]:
    """(value, label, selected) for the order switch."""
    return [(v, label, "selected" if v == queue.order else "") for v, label in ORDER_LABELS.items()]


def review_page_context(
    *,
    scope: Scope,
    participant: CachedParticipant,
    viewer,
    queue: QueueFilter,
    place: QueuePlace,
) -> dict:
    """One candidate in review mode: answers, side panel, bar, and where the queue goes."""
    slug = scope.team.slug
    masking = masking_for(scope=scope, viewer=viewer, rows=[participant])
    shown = masking.show(participant)
    payload = shown.participant()
    answers: list[AnswerView] = answer_views(payload, questions_of(participant))
    reviews = review_panel_context(scope, participant.key, viewer, answers)
    masking.redact_reviews(participant, reviews["reviews"])
    decisions = decision_panel_context(scope, participant)
    decisions["decision"] = masking.decisions([decisions["decision"]])[0]
    next_url = review_url(slug, place.next_key, queue)
    return {
        "participant": shown,
        "blind": masking.on,
        "masked": masking.hides(participant.key),
        "payload": payload,
        "interview": participant.interview,
        "answers": answers,
        "queue": queue,
        "place": place,
        "queue_url": queue_url(slug, queue),
        "next_url": next_url,
        "previous_url": review_url(slug, place.previous_key, queue),
        "recommendation_buttons": recommendation_buttons(reviews["chosen_recommendation"]),
        "recommend_url": reverse(
            "dashboard:participant_recommend",
            kwargs={"slug": slug, "participant_key": participant.key},
        ),
        "decide_url": reverse(
            "dashboard:participant_decide",
            kwargs={"slug": slug, "participant_key": participant.key},
        ),
        "candidate_url": reverse(
            "dashboard:participant_detail",
            kwargs={"slug": slug, "participant_key": participant.key},
        ),
        "speeds": SPEEDS,
        **decisions,
        **reviews,
    }
