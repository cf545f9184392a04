"""Screening by correct answers: a job's candidates with N or more wrong answers to its
multiple-choice and checkbox questions, previewed, then rejected only after that preview.

The screen is the dashboard's own (Willo's API has no such thing): it reads the cached
answers and nothing else, and only the Rejected status goes to Willo, through the usual
decision (undo window, then a task). The rejection email is the dashboard's own too.

The rules, in one place:

- A question counts when it is multiple choice or checkboxes and at least one of its
  options has ``is_correct`` set (true or false); one whose options are all null does not.
- Multiple choice: wrong when nothing is chosen or a chosen option is not a correct one.
- Checkboxes: wrong when the set chosen differs from the set of correct options.
- A question with no answer counts as wrong: only candidates who have responded are
  screened, so a missing answer is one they did not give.
- A candidate whose answers have never been fetched is listed apart, never counted as
  0 wrong and never rejected.
- Candidates already Rejected, in Willo or by a local decision pending or sent, are left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction

from dashboard.models import Decision, EmailTemplate
from willo_integration import schemas
from willo_integration.models import CachedInterview, CachedParticipant
from willo_integration.schemas import CHOICE_ANSWER_TYPES, AnswerType, ParticipantStatus
from willo_integration.services.decision_emails import decision_emails_queue
from willo_integration.services.decisions import (
    participants_decide,
    participants_latest_decisions,
)
from willo_integration.services.email_templates import job_template
from willo_integration.services.participants import order_by
from willo_integration.services.scope import Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# The answer types whose options can be marked correct.
SCREENED_TYPES = CHOICE_ANSWER_TYPES
REJECTED = ParticipantStatus.REJECTED.value
# A local rejection that stands: on its way to Willo, or there.
STANDING = (Decision.State.PENDING, Decision.State.SENT)


class ScreenInvalid(ValueError):
    """The screen cannot be made as asked (no such N for this job); the message says why."""


@dataclass(frozen=True)
class ScreenedAnswer:
    """A candidate's answer to one screened question, beside what is correct."""

    question: schemas.Question
    chosen: list[str]  # the texts of the options they chose, in the question's order
    correct: list[str]  # the texts of the correct options
    answered: bool
    wrong: bool


@dataclass(frozen=True)
class ScreenedCandidate:
    participant: CachedParticipant
    answers: list[ScreenedAnswer]

    @property
    def wrong(self) -> int:
        return sum(answer.wrong for answer in self.answers)


@dataclass(frozen=True)
class Screen:
    """A job's screen at ``min_wrong``: who has that many wrong answers or more (most
    first), everyone whose answers could be read, and those whose answers could not."""

    questions: list[schemas.Question]
    min_wrong: int
    screened: list[ScreenedCandidate]
    not_fetched: list[CachedParticipant]

    @property
    def matching(self) -> list[ScreenedCandidate]:
        return [c for c in self.screened if c.wrong >= self.min_wrong]

    @property
    def wrong_counts(self) -> list[tuple[int, int]]:
        """(wrong answers, how many candidates have that many), from none to all wrong."""
        counts = Counter(c.wrong for c in self.screened)
        return [(wrong, counts[wrong]) for wrong in range(len(self.questions) + 1)]

    @property
    def answers_as_of(self) -> datetime | None:
        """When the oldest of the answers screened was fetched from Willo."""
        times = [c.participant.detail_fetched_at for c in self.screened]
        return min((t for t in times if t is not None), default=None)


def question_is_screenable(*, question: schemas.Question) -> bool:
    return question.answer_type in SCREENED_TYPES and any(
        option.is_correct is not None for option in question.answer_options
    )


def interview_screenable_questions(*, interview: CachedInterview) -> list[schemas.Question]:
    """The job's questions that screening counts, in the job's order."""
    return [q for q in interview.questions() if q.key and question_is_screenable(question=q)]


def answer_is_wrong(*, question: schemas.Question, answer: schemas.Answer | None) -> bool:
    """Whether ``answer`` to a screenable ``question`` is wrong (None: not answered, wrong)."""
    chosen = _chosen_keys(answer)
    correct = {o.key for o in question.answer_options if o.is_correct}
    if question.answer_type == AnswerType.CHECKBOXES:
        return chosen != correct
    return not chosen or not chosen <= correct


def _chosen_keys(answer: schemas.Answer | None) -> set[str]:
    if answer is None:
        return set()
    return {key for key in answer.selected_option_keys if key}


def _options(question: schemas.Question) -> list[schemas.AnswerOption]:
    return sorted(question.answer_options, key=lambda o: (o.order is None, o.order or 0))


def question_correct_texts(*, question: schemas.Question) -> list[str]:
    """The texts of the question's correct options, in its order."""
    return [o.text or o.key for o in _options(question) if o.is_correct]


def _screened_answer(question: schemas.Question, answer: schemas.Answer | None) -> ScreenedAnswer:
    chosen = _chosen_keys(answer)
    return ScreenedAnswer(
        question=question,
        chosen=[o.text or o.key for o in _options(question) if o.key in chosen],
        correct=question_correct_texts(question=question),
        answered=answer is not None,
        wrong=answer_is_wrong(question=question, answer=answer),
    )


def _answers(row: CachedParticipant) -> dict[str, schemas.Answer] | None:
    """The candidate's answers by question key; None when none have been fetched since
    they responded (never fetched, unreadable, or holding no answer: read before they
    answered)."""
    if row.detail_fetched_at is None:
        return None
    payload = row.participant()
    if payload is None or not payload.answers:
        return None
    return {a.question.key: a for a in payload.answers if a.question is not None}


def _candidates(scope: Scope, interview: CachedInterview) -> list[CachedParticipant]:
    """The job's candidates who have responded and are not already rejected, oldest
    response first (never by name, which blind review must not give away)."""
    rows = list(
        CachedParticipant.objects.filter(team=scope.team, scope=scope.key, interview=interview)
        .exclude(status__in=(*CachedParticipant.NOT_RESPONDED, REJECTED))
        .order_by(*order_by("responded_at"))
    )
    latest = participants_latest_decisions(scope=scope, keys=[row.key for row in rows])
    return [row for row in rows if not _rejected_here(latest.get(row.key))]


def _rejected_here(decision: Decision | None) -> bool:
    return (
        decision is not None
        and decision.status == Decision.Status.REJECTED
        and decision.state in STANDING
    )


def interview_screen(*, scope: Scope, interview: CachedInterview, min_wrong: int) -> Screen:
    """The job's screen: ScreenInvalid unless 1 <= ``min_wrong`` <= its screenable
    questions. Reads the cache only, so it never waits for Willo."""
    questions = interview_screenable_questions(interview=interview)
    if not 1 <= min_wrong <= len(questions):
        raise ScreenInvalid(screen_range_message(questions=len(questions)))
    screened, not_fetched = [], []
    for row in _candidates(scope, interview):
        answers = _answers(row)
        if answers is None:
            not_fetched.append(row)
            continue
        screened.append(
            ScreenedCandidate(row, [_screened_answer(q, answers.get(q.key)) for q in questions])
        )
    screened.sort(key=lambda c: -c.wrong)  # stable: oldest response first within a count
    return Screen(questions, min_wrong, screened, not_fetched)


def screen_range_message(*, questions: int) -> str:
    """What a refused N is told, for a job with ``questions`` screenable questions."""
    if questions == 0:
        return "This job has no questions with correct answers marked, so nothing to screen."
    if questions == 1:
        return "Enter 1: this job has 1 question with correct answers marked."
    return f"Enter a whole number from 1 to {questions}: the job's questions with correct answers."


@dataclass(frozen=True)
class LeftOut:
    """A previewed candidate not rejected, and why (``participant`` None: not of this job)."""

    key: str
    participant: CachedParticipant | None
    why: str


@dataclass
class ScreenRejection:
    """What *Reject these* did: the candidates rejected and their decisions, the previewed
    candidates left out (with why), and each rejection's email, queued or not (with why)."""

    decisions: list[Decision] = field(default_factory=list)
    rejected: list[CachedParticipant] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    emailed: list[str] = field(default_factory=list)  # participant keys
    not_emailed: list[tuple[str, str]] = field(default_factory=list)  # (participant key, why)


def interview_screen_reject(
    *,
    scope: Scope,
    interview: CachedInterview,
    min_wrong: int,
    participant_keys: list[str],
    email_delay_hours: int | None,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
) -> ScreenRejection:
    """Reject those of ``participant_keys`` (the candidates previewed) that the screen,
    made again now, still finds with ``min_wrong`` or more wrong answers; never anyone
    else. Each rejection's email is queued ``email_delay_hours`` after it reaches Willo
    (None: no email)."""
    screen = interview_screen(scope=scope, interview=interview, min_wrong=min_wrong)
    by_key = {c.participant.key: c for c in screen.screened}
    not_fetched = {row.key: row for row in screen.not_fetched}
    outcome = ScreenRejection()
    for key in dict.fromkeys(k for k in participant_keys if k):
        candidate = by_key.get(key)
        if candidate is not None and candidate.wrong >= min_wrong:
            outcome.rejected.append(candidate.participant)
        elif candidate is not None:
            why = f"now {candidate.wrong} wrong, fewer than {min_wrong}"
            outcome.left_out.append(LeftOut(key, candidate.participant, why))
        elif key in not_fetched:
            why = "their answers are not fetched yet"
            outcome.left_out.append(LeftOut(key, not_fetched[key], why))
        else:
            why = "already rejected, or no longer a responded candidate of this job"
            outcome.left_out.append(LeftOut(key, None, why))
    if not outcome.rejected:
        return outcome
    with transaction.atomic():
        outcome.decisions = participants_decide(
            scope=scope,
            participant_keys=[row.key for row in outcome.rejected],
            status=Decision.Status.REJECTED,
            actor=actor,
            ip_address=ip_address,
        )
        if email_delay_hours is not None:
            _emails_queue(scope, outcome, email_delay_hours, actor)
    return outcome


def _emails_queue(
    scope: Scope, outcome: ScreenRejection, delay_hours: int, actor: AbstractBaseUser | None
) -> None:
    """One decision at a time, so each candidate left without an email is known by key."""
    for decision in outcome.decisions:
        report = decision_emails_queue(
            scope=scope, decisions=[decision], delay_hours=delay_hours, actor=actor
        )
        if report.queued:
            outcome.emailed.append(decision.participant_key)
        for _name, why in report.skipped:
            outcome.not_emailed.append((decision.participant_key, why))


def interview_has_rejection_template(*, scope: Scope, interview: CachedInterview) -> bool:
    """Whether the job has a rejection email to send (its own template, or the team's)."""
    return (
        job_template(scope=scope, interview_key=interview.key, kind=EmailTemplate.Kind.REJECTION)
        is not None
    )
