"""Candidates side by side: per question of the job, each candidate's answer with its
transcript and its ratings (mine, and the team's as independent review allows), and per
candidate the recommendation and the decision."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from dashboard.presenters.blind import masking_for
from dashboard.presenters.participants import AnswerView, answer_views
from dashboard.presenters.review_queue import recommendation_buttons
from willo_integration.models import CachedInterview, CachedParticipant
from willo_integration.services.decisions import participants_latest_decisions
from willo_integration.services.preferences import SPEEDS
from willo_integration.services.reviews import RATINGS, CandidateReviews, participants_reviews
from willo_integration.services.scope import Scope

MIN_COMPARED, MAX_COMPARED = 2, 6


@dataclass
class ComparedCandidate:
    """One candidate's column: who, their status and score, the team's tally, my
    recommendation and the decision."""

    participant: object  # the cached row, or blind review's masked view of it
    reviews: CandidateReviews
    decision: object | None
    recommendation_buttons: list
    urls: dict[str, str]
    answered: bool  # their answers have been fetched from Willo


@dataclass(frozen=True)
class TeamRating:
    reviewer: str
    rating: int


@dataclass
class CompareCell:
    candidate: ComparedCandidate
    item: AnswerView | None  # None: no answer to this question
    my_rating: int | None
    team_ratings: list[TeamRating] | None  # None: hidden until I recommend


@dataclass
class CompareRow:
    number: int
    question_text: str
    cells: list[CompareCell]


def compare_context(
    *, scope: Scope, interview: CachedInterview, participants: list[CachedParticipant], viewer
) -> dict:
    """The compare page for ``participants`` (already of ``interview``, in this scope)."""
    slug = scope.team.slug
    masking = masking_for(scope=scope, viewer=viewer, rows=participants)
    keys = [p.key for p in participants]
    decisions = participants_latest_decisions(scope=scope, keys=keys)
    all_reviews = participants_reviews(scope=scope, participant_keys=keys, viewer=viewer)
    questions = interview.questions()
    columns, answers = [], []
    for row in participants:
        shown = masking.show(row)
        reviews = all_reviews[row.key]
        masking.redact_reviews(row, reviews)
        mine = reviews.mine.recommendation if reviews.mine else ""
        payload = shown.participant()
        columns.append(
            ComparedCandidate(
                participant=shown,
                reviews=reviews,
                decision=masking.decisions([decisions.get(row.key)])[0],
                recommendation_buttons=recommendation_buttons(mine),
                urls=_urls(slug, row.key),
                answered=payload is not None,
            )
        )
        answers.append({_question_key(a): a for a in answer_views(payload, questions)})
    return {
        "interview": interview,
        "candidates": columns,
        "rows": _rows(questions, columns, answers),
        "ratings": list(RATINGS),
        "speeds": SPEEDS,
        "blind": masking.on,
    }


def _question_key(item: AnswerView) -> str:
    question = item.answer.question
    return (question.key if question else "") or f"answer:{item.key}"


def _rows(questions, columns: list[ComparedCandidate], answers: list[dict]) -> list[CompareRow]:
    """A row per question of the job in its order, then any question only answers name."""
    order = [(q.key, q.text or "") for q in questions if q.key]
    known = {key for key, _ in order}
    for by_question in answers:
        for key, item in by_question.items():
            if key not in known:
                known.add(key)
                order.append((key, item.question_text))
    rows = []
    for number, (key, text) in enumerate(order, start=1):
        cells = []
        for column, by_question in zip(columns, answers, strict=True):
            item = by_question.get(key)
            if item is not None:
                item.number = number  # the players' labels say the row's question number
            cells.append(_cell(column, item))
        rows.append(CompareRow(number, text or "(question text not available)", cells))
    return rows


def _cell(column: ComparedCandidate, item: AnswerView | None) -> CompareCell:
    if item is None:
        return CompareCell(column, None, None, [])
    reviews = column.reviews
    team = None
    if not reviews.hidden:
        team = [
            TeamRating(r.reviewer_username, r.rating_map[item.key])
            for r in reviews.others
            if item.key in r.rating_map
        ]
    return CompareCell(column, item, reviews.my_ratings.get(item.key), team)


def _urls(slug: str, key: str) -> dict[str, str]:
    kwargs = {"slug": slug, "participant_key": key}
    return {
        name: reverse(f"dashboard:{view}", kwargs=kwargs)
        for name, view in (
            ("page", "participant_detail"),
            ("decide", "participant_decide"),
            ("recommend", "participant_recommend"),
            ("rate", "participant_rate"),
        )
    }
