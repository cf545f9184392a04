"""The team's own review of candidates: each member's recommendation, review note and
answer ratings, the team's tallies, and what independent review hides.

Willo's API takes only a status for a participant, so none of this reaches Willo. Under
independent review (the team's setting, on by default) a member sees colleagues' reviews
of a candidate, and the team's tallies, only once they have given their own
recommendation for them; what is hidden is hidden everywhere (the candidate page, the
job table and pipeline, their sorting and filtering, the CSV export, the timeline).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from dashboard.models import NOTE_MAX_CHARACTERS, AnswerRating, Review, ReviewRevision
from willo_integration.services.changes import changes_mark
from willo_integration.services.scope import Scope, candidate_in_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger("willo_integration.services")

Recommendation = Review.Recommendation
RECOMMENDATIONS = tuple(Recommendation.values)  # strongest yes first
FOR = (Recommendation.STRONG_YES, Recommendation.YES)
AGAINST = (Recommendation.NO, Recommendation.STRONG_NO)
RATINGS = range(1, 6)


class ReviewInvalid(ValueError):
    """What is wrong with a review, by field ("recommendation", "note", "rating-<answer>")."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class ReviewTally:
    """The team's reviews of one candidate, counted."""

    counts: Mapping[str, int]  # recommendation -> members who gave it
    rating_average: float | None  # of every answer rating by every member
    rating_count: int

    @property
    def reviews(self) -> int:
        return sum(self.counts.values())

    @property
    def in_favour(self) -> int:
        """Strong yes and Yes together: "two or more Yes" counts both."""
        return sum(self.counts.get(r, 0) for r in FOR)

    @property
    def against(self) -> int:
        return sum(self.counts.get(r, 0) for r in AGAINST)

    def bars(self) -> list[tuple[str, str, int]]:
        """(value, label, count) per recommendation, strongest yes first, for the chart."""
        return [(r.value, r.label, self.counts.get(r.value, 0)) for r in Recommendation]


@dataclass(frozen=True)
class CandidateReviews:
    """What ``viewer`` may see of the reviews of one candidate."""

    mine: Review | None
    my_ratings: dict[str, int]
    others: list[Review] = field(default_factory=list)  # with ``rating_map``; [] if hidden
    tally: ReviewTally | None = None  # None when hidden
    hidden: bool = False  # independent review hides colleagues' reviews from the viewer


def review_save(
    *,
    scope: Scope,
    participant_key: str,
    reviewer: AbstractBaseUser,
    recommendation: str,
    note: str,
    ratings: Mapping[str, int | None],
    answer_keys: Iterable[str],
) -> Review:
    """Save ``reviewer``'s review of the candidate: the recommendation ("" for none yet),
    the review note and a rating per answer (None clears it). Kept as a revision too.

    ``answer_keys`` are the candidate's answers: a rating of anything else is refused.
    ReviewInvalid says what is wrong, and nothing is stored; ParticipantNotFound when the
    scope has no such candidate cached.
    """
    ratings = dict(ratings)
    errors = _problems(recommendation, note, ratings, set(answer_keys))
    if errors:
        raise ReviewInvalid(errors)
    candidate_in_scope(scope, participant_key)
    kept = {key: value for key, value in ratings.items() if value is not None}
    with transaction.atomic():
        review = _review_update(
            scope, participant_key, reviewer, recommendation=recommendation, note=note
        )
        review.ratings.exclude(answer_key__in=kept).delete()
        for answer_key, rating in kept.items():
            AnswerRating.objects.update_or_create(
                review=review, answer_key=answer_key, defaults={"rating": rating}
            )
        ReviewRevision.objects.create(
            review=review, recommendation=recommendation, note=note, ratings=kept
        )
        changes_mark(scope=scope, participant_keys=[participant_key])
    logger.info(
        "review of %s by %s in %r saved (%s, %d ratings)",
        participant_key, review.reviewer_username, scope, recommendation or "no recommendation",
        len(kept),
    )  # fmt: skip
    return review


def recommendation_give(
    *, scope: Scope, participant_key: str, reviewer: AbstractBaseUser, recommendation: str
) -> Review:
    """Give (or change) ``reviewer``'s recommendation of the candidate, keeping their review
    note and answer ratings: the review queue's one key. Kept as a revision too."""
    errors = _problems(recommendation or "none", "", {}, set())
    if errors:
        raise ReviewInvalid(errors)
    candidate_in_scope(scope, participant_key)
    with transaction.atomic():
        review = _review_update(scope, participant_key, reviewer, recommendation=recommendation)
        _revision_keep(review)
        changes_mark(scope=scope, participant_keys=[participant_key])
    logger.info(
        "recommendation of %s by %s in %r: %s",
        participant_key, review.reviewer_username, scope, recommendation,
    )  # fmt: skip
    return review


def answer_rate(
    *,
    scope: Scope,
    participant_key: str,
    reviewer: AbstractBaseUser,
    answer_key: str,
    rating: int | None,
    answer_keys: Iterable[str],
) -> Review:
    """Rate one of the candidate's answers (None clears the rating), keeping the rest of
    ``reviewer``'s review: comparing candidates rates answer by answer. Kept as a revision."""
    errors = _problems("", "", {answer_key: rating}, set(answer_keys))
    if errors:
        raise ReviewInvalid(errors)
    candidate_in_scope(scope, participant_key)
    with transaction.atomic():
        review = _review_update(scope, participant_key, reviewer)
        if rating is None:
            review.ratings.filter(answer_key=answer_key).delete()
        else:
            AnswerRating.objects.update_or_create(
                review=review, answer_key=answer_key, defaults={"rating": rating}
            )
        _revision_keep(review)
        changes_mark(scope=scope, participant_keys=[participant_key])
    logger.info(
        "answer %s of %s rated %s by %s in %r",
        answer_key, participant_key, rating, review.reviewer_username, scope,
    )  # fmt: skip
    return review


def _revision_keep(review: Review) -> None:
    """The review as it now stands, kept in its history."""
    ReviewRevision.objects.create(
        review=review,
        recommendation=review.recommendation,
        note=review.note,
        ratings={r.answer_key: r.rating for r in review.ratings.all()},
    )


def _review_update(scope: Scope, participant_key: str, reviewer, **fields) -> Review:
    """The member's review of the candidate, created or changed (row-locked) to ``fields``."""
    review, _ = Review.objects.update_or_create(
        team=scope.team,
        scope=scope.key,
        participant_key=participant_key,
        reviewer=reviewer,
        defaults={"reviewer_username": reviewer.get_username(), **fields},
    )
    return review


def _problems(
    recommendation: str, note: str, ratings: Mapping[str, int | None], answers: set[str]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if recommendation and recommendation not in RECOMMENDATIONS:
        names = ", ".join(label for _, label in Recommendation.choices)
        errors["recommendation"] = f"Choose one of {names}, or none yet."
    if len(note) > NOTE_MAX_CHARACTERS:
        errors["note"] = (
            f"Keep the review note to {NOTE_MAX_CHARACTERS:,} characters (it has {len(note):,})."
        )
    for answer_key, rating in ratings.items():
        if answer_key not in answers:
            errors[f"rating-{answer_key}"] = "This candidate has no such answer to rate."
        elif rating is not None and rating not in RATINGS:
            errors[f"rating-{answer_key}"] = "Rate from 1 to 5."
    return errors


def team_independent_review_set(*, team, on: bool, actor: AbstractBaseUser) -> None:
    """Turn independent review on or off for the team (a team admin's choice)."""
    team.independent_review = on
    team.save(update_fields=["independent_review", "updated_at"])
    logger.info(
        "team %s: independent review turned %s by %s",
        team.slug, "on" if on else "off", actor.get_username(),
    )  # fmt: skip


def _recommended_by(scope: Scope, viewer: AbstractBaseUser, key) -> object:
    return Review.objects.filter(
        team=scope.team, scope=scope.key, participant_key=key, reviewer=viewer
    ).exclude(recommendation="")


def participant_reviews(
    *, scope: Scope, participant_key: str, viewer: AbstractBaseUser
) -> CandidateReviews:
    """The viewer's own review of the candidate, and what they may see of the others'."""
    return participants_reviews(scope=scope, participant_keys=[participant_key], viewer=viewer)[
        participant_key
    ]


def participants_reviews(
    *, scope: Scope, participant_keys: Iterable[str], viewer: AbstractBaseUser
) -> dict[str, CandidateReviews]:
    """``participant_reviews`` of each candidate in ``participant_keys``, in two queries
    whatever their number (comparing candidates side by side)."""
    keys = list(dict.fromkeys(participant_keys))
    by_key: dict[str, list[Review]] = {key: [] for key in keys}
    for review in Review.objects.filter(
        team=scope.team, scope=scope.key, participant_key__in=keys
    ).prefetch_related("ratings"):
        review.rating_map = {r.answer_key: r.rating for r in review.ratings.all()}
        by_key[review.participant_key].append(review)
    return {key: _visible_to(scope, viewer, reviews) for key, reviews in by_key.items()}


def _visible_to(scope: Scope, viewer: AbstractBaseUser, reviews: list[Review]) -> CandidateReviews:
    mine = next((r for r in reviews if r.reviewer_id == viewer.pk), None)
    my_ratings = mine.rating_map if mine else {}
    hidden = scope.team.independent_review and not (mine and mine.recommendation)
    if hidden:
        return CandidateReviews(mine=mine, my_ratings=my_ratings, hidden=True)
    others = [r for r in reviews if r is not mine]
    return CandidateReviews(
        mine=mine, my_ratings=my_ratings, others=others, tally=_tally_of(reviews)
    )


def _tally_of(reviews: list[Review]) -> ReviewTally:
    counts = dict.fromkeys(RECOMMENDATIONS, 0)
    for review in reviews:
        if review.recommendation:
            counts[review.recommendation] += 1
    ratings = [rating for review in reviews for rating in review.rating_map.values()]
    return ReviewTally(
        counts=counts,
        rating_average=sum(ratings) / len(ratings) if ratings else None,
        rating_count=len(ratings),
    )


def participant_tally(
    *, scope: Scope, participant_key: str, viewer: AbstractBaseUser
) -> ReviewTally | None:
    """The team's tally of one candidate as ``viewer`` may see it (None: hidden)."""
    return reviews_tallies(scope=scope, keys=[participant_key], viewer=viewer)[participant_key]


# -- the job table, pipeline and CSV: the team's tallies per candidate ------------------


def tally_annotation(name: str, *, scope: Scope, viewer: AbstractBaseUser):
    """``team_in_favour`` (Strong yes and Yes) or ``team_rating`` (the average answer
    rating) per candidate row (by ``key``), None where the viewer may not see it: sorting
    and filtering on it never reveal what is hidden. Only what a query sorts or filters on
    is annotated; what a page shows comes from ``reviews_tallies``."""
    if name == "team_in_favour":
        rows = Review.objects.filter(
            team=scope.team,
            scope=scope.key,
            participant_key=OuterRef("key"),
            recommendation__in=FOR,
        )
        number = rows.values("participant_key").annotate(n=Count("pk")).values("n")
        expression = Coalesce(Subquery(number, output_field=IntegerField()), Value(0))
    elif name == "team_rating":
        ratings = AnswerRating.objects.filter(
            review__team=scope.team,
            review__scope=scope.key,
            review__participant_key=OuterRef("key"),
        ).values("review__participant_key")
        average = ratings.annotate(a=Avg("rating")).values("a")
        expression = Subquery(average, output_field=FloatField())
    else:
        raise ValueError(f"No such tally: {name!r}")
    if not scope.team.independent_review:
        return expression
    seen = Exists(_recommended_by(scope, viewer, OuterRef("key")))
    return Case(When(seen, then=expression), default=Value(None))


def reviews_tallies(
    *, scope: Scope, keys: Iterable[str], viewer: AbstractBaseUser
) -> dict[str, ReviewTally | None]:
    """The tally of each candidate in ``keys`` as ``viewer`` may see it (None: hidden), in
    three queries whatever their number."""
    keys = list(dict.fromkeys(keys))
    reviews = Review.objects.filter(team=scope.team, scope=scope.key, participant_key__in=keys)
    visible = set(keys)
    if scope.team.independent_review:
        visible = set(
            reviews.filter(reviewer=viewer)
            .exclude(recommendation="")
            .values_list("participant_key", flat=True)
        )
    counts: dict[str, dict[str, int]] = {key: dict.fromkeys(RECOMMENDATIONS, 0) for key in visible}
    for key, recommendation, n in (
        reviews.filter(participant_key__in=visible)
        .exclude(recommendation="")
        .values_list("participant_key", "recommendation")
        .annotate(n=Count("pk"))
    ):
        counts[key][recommendation] = n
    ratings = {
        key: (average, n)
        for key, average, n in AnswerRating.objects.filter(
            review__team=scope.team, review__scope=scope.key, review__participant_key__in=visible
        )
        .values_list("review__participant_key")
        .annotate(a=Avg("rating"), n=Count("pk"))
    }
    return {
        key: ReviewTally(
            counts=counts[key],
            rating_average=ratings.get(key, (None, 0))[0],
            rating_count=ratings.get(key, (None, 0))[1],
        )
        if key in visible
        else None
        for key in keys
    }
