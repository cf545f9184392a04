"""Screening by correct answers: which answers are wrong, who the screen lists (and who
it leaves apart or out), and rejecting only the previewed who still match."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from dashboard.models import Decision, OutboundEmail
from tests.dashboard.test_compare import CHECKBOXES
from tests.willo_integration.services.conftest import cached_interview, cached_participant
from willo_integration import schemas
from willo_integration.services.decisions import decision_undo, participants_decide
from willo_integration.services.email_templates import template_save
from willo_integration.services.screening import (
    ScreenInvalid,
    answer_is_wrong,
    interview_screen,
    interview_screen_reject,
    interview_screenable_questions,
)

pytestmark = pytest.mark.django_db

COLOUR = {
    "key": "q-colour",
    "text": "Pick a colour",
    "order": 1,
    "answer_type": "multiple_choice",
    "type_specific_data": {
        "answer_options": [
            {"key": "o-red", "text": "Red", "order": 1, "is_correct": True},
            {"key": "o-blue", "text": "Blue", "order": 2, "is_correct": False},
            {"key": "o-green", "text": "Green", "order": 3, "is_correct": None},
        ]
    },
}
BREWS = {**CHECKBOXES, "key": "q-brews", "order": 2}  # V60 and French press right
SHIFTS = {  # no option marked: not screened
    "key": "q-shifts",
    "text": "Which shifts can you work?",
    "order": 3,
    "answer_type": "checkboxes",
    "type_specific_data": {
        "answer_options": [
            {"key": "o-early", "text": "Early", "order": 1, "is_correct": None},
            {"key": "o-late", "text": "Late", "order": 2, "is_correct": None},
        ]
    },
}
WHY = {"key": "q-why", "text": "Why this job?", "order": 4, "answer_type": "text"}
_answers = itertools.count(1)


def question(data: dict) -> schemas.Question:
    return schemas.Question.model_validate(data)


def answer(q: dict, *options: str) -> dict:
    return {
        "key": f"a{next(_answers)}",
        "question": {"key": q["key"], "answer_type": q["answer_type"]},
        "type_specific_data": {"selected_answer_options": [{"option": o} for o in options]},
    }


def parsed(q: dict, *options: str) -> schemas.Answer:
    return schemas.Answer.model_validate(answer(q, *options))


@pytest.fixture
def job(scope):
    detail = {"key": "job-1", "title": "Barista", "questions": [WHY, SHIFTS, BREWS, COLOUR]}
    return cached_interview(scope, "job-1", detail=detail, detail_fetched_at=timezone.now())


def candidate(scope, job, key, *answers, **fields):
    detail = {"key": key, "answers": [*answers, {"key": f"{key}-why", "question": WHY}]}
    return cached_participant(scope, job, key, name=key.title(), detail=detail, **fields)


def test_a_multiple_choice_answer_is_wrong_unless_the_option_chosen_is_correct():
    colour = question(COLOUR)

    assert not answer_is_wrong(question=colour, answer=parsed(COLOUR, "o-red"))
    assert answer_is_wrong(question=colour, answer=parsed(COLOUR, "o-blue"))
    assert answer_is_wrong(question=colour, answer=parsed(COLOUR, "o-green"))  # null: not correct
    assert answer_is_wrong(question=colour, answer=parsed(COLOUR))  # nothing chosen
    assert answer_is_wrong(question=colour, answer=None)  # not answered


def test_a_checkbox_answer_is_wrong_when_its_set_differs_from_the_correct_set():
    brews = question(BREWS)

    assert not answer_is_wrong(question=brews, answer=parsed(BREWS, "o-press", "o-v60"))
    assert answer_is_wrong(question=brews, answer=parsed(BREWS, "o-v60"))  # one short
    assert answer_is_wrong(question=brews, answer=parsed(BREWS, "o-v60", "o-press", "o-pod"))
    assert answer_is_wrong(question=brews, answer=parsed(BREWS, "o-pod"))
    assert answer_is_wrong(question=brews, answer=parsed(BREWS))
    assert answer_is_wrong(question=brews, answer=None)


def test_only_choice_questions_with_an_option_marked_are_screened(job):
    assert [q.key for q in interview_screenable_questions(interview=job)] == [
        "q-colour",
        "q-brews",
    ]


def test_it_lists_those_with_n_or_more_wrong_with_what_they_chose(scope, job):
    candidate(scope, job, "ann", answer(COLOUR, "o-red"), answer(BREWS, "o-v60", "o-press"))
    candidate(scope, job, "ben", answer(COLOUR, "o-blue"), answer(BREWS, "o-v60", "o-press"))
    candidate(scope, job, "cat", answer(COLOUR, "o-blue"), answer(BREWS, "o-pod"))
    candidate(scope, job, "dan", answer(COLOUR, "o-red"), answer(SHIFTS, "o-late"))

    one = interview_screen(scope=scope, interview=job, min_wrong=1)
    two = interview_screen(scope=scope, interview=job, min_wrong=2)

    assert [(c.participant.key, c.wrong) for c in one.matching] == [
        ("cat", 2), ("ben", 1), ("dan", 1)
    ]  # fmt: skip
    assert [c.participant.key for c in two.matching] == ["cat"]
    assert two.wrong_counts == [(0, 1), (1, 2), (2, 1)]
    ben = next(c for c in one.matching if c.participant.key == "ben")
    colour, brews = ben.answers
    assert (colour.chosen, colour.correct, colour.wrong) == (["Blue"], ["Red"], True)
    both = ["V60", "French press"]
    assert (brews.chosen, brews.correct, brews.wrong) == (both, both, False)
    dan = next(c for c in one.matching if c.participant.key == "dan")
    assert [(a.answered, a.wrong) for a in dan.answers] == [(True, False), (False, True)]


def test_candidates_whose_answers_were_never_fetched_are_listed_apart(scope, job):
    candidate(scope, job, "ann", answer(COLOUR, "o-blue"), answer(BREWS))
    cached_participant(scope, job, "ben", detail=None, detail_fetched_at=None)
    cached_participant(scope, job, "cat", detail={"key": "cat"}, detail_fetched_at=None)
    cached_participant(scope, job, "dan", detail={"key": "dan", "answers": []})

    screen = interview_screen(scope=scope, interview=job, min_wrong=1)

    assert [c.participant.key for c in screen.screened] == ["ann"]
    assert {row.key for row in screen.not_fetched} == {"ben", "cat", "dan"}


def test_candidates_already_rejected_or_not_responded_are_left_out(scope, job, django_user_model):
    wrong = (answer(COLOUR, "o-blue"), answer(BREWS))
    for key in ("ann", "ben", "cat", "dan", "eve", "fay"):
        candidate(scope, job, key, *wrong, status="Invited" if key == "fay" else "Completed")
    candidate(scope, job, "gil", *wrong, status="Rejected")
    candidate(scope, job, "hal", *wrong, status="Accepted")
    rita = django_user_model.objects.create_user("rita")
    participants_decide(scope=scope, participant_keys=["ben"], status="Rejected", actor=rita,
                        ip_address=None)  # fmt: skip
    Decision.objects.create(team=scope.team, participant_key="cat", status="Rejected",
                            state=Decision.State.SENT)  # fmt: skip
    undone = participants_decide(scope=scope, participant_keys=["dan"], status="Rejected",
                                 actor=rita, ip_address=None)  # fmt: skip
    decision_undo(scope=scope, decision_id=undone[0].pk, actor=rita)
    participants_decide(scope=scope, participant_keys=["eve"], status="Accepted", actor=rita,
                        ip_address=None)  # fmt: skip

    screen = interview_screen(scope=scope, interview=job, min_wrong=2)

    assert [c.participant.key for c in screen.matching] == ["ann", "dan", "eve", "hal"]


def test_an_n_the_job_cannot_have_is_refused(scope, job):
    for n in (0, 3):
        with pytest.raises(ScreenInvalid, match="from 1 to 2"):
            interview_screen(scope=scope, interview=job, min_wrong=n)


def test_it_rejects_only_the_previewed_who_still_have_n_wrong(scope, job, django_user_model):
    rita = django_user_model.objects.create_user("rita")
    candidate(scope, job, "ann", answer(COLOUR, "o-blue"), answer(BREWS))
    candidate(scope, job, "ben", answer(COLOUR, "o-blue"), answer(BREWS))
    candidate(scope, job, "cat", answer(COLOUR, "o-red"), answer(BREWS, "o-v60", "o-press"))
    candidate(scope, job, "dan", answer(COLOUR, "o-blue"), answer(BREWS))  # not previewed
    cached_participant(scope, job, "eve", detail=None, detail_fetched_at=None)

    outcome = interview_screen_reject(
        scope=scope,
        interview=job,
        min_wrong=2,
        participant_keys=["ann", "ben", "cat", "eve", "zed"],
        email_delay_hours=None,
        actor=rita,
        ip_address="203.0.113.9",
    )

    assert sorted(d.participant_key for d in outcome.decisions) == ["ann", "ben"]
    assert {d.status for d in outcome.decisions} == {"Rejected"}
    assert [(left.key, left.why) for left in outcome.left_out] == [
        ("cat", "now 0 wrong, fewer than 2"),
        ("eve", "their answers are not fetched yet"),
        ("zed", "already rejected, or no longer a responded candidate of this job"),
    ]
    assert not Decision.objects.filter(participant_key__in=["cat", "dan", "eve"]).exists()
    assert OutboundEmail.objects.count() == 0


def test_it_queues_the_rejection_email_where_it_can(scope, job, django_user_model):
    rita = django_user_model.objects.create_user("rita")
    candidate(scope, job, "ann", answer(COLOUR, "o-blue"))
    candidate(scope, job, "ben", answer(COLOUR, "o-blue"), email="")
    template_save(team=scope.team, kind="rejection", name="Thanks", subject="Your application",
                  body="Dear {candidate_first_name}, thank you.", is_default=True,
                  actor=rita)  # fmt: skip

    outcome = interview_screen_reject(
        scope=scope,
        interview=job,
        min_wrong=1,
        participant_keys=["ann", "ben"],
        email_delay_hours=4,
        actor=rita,
        ip_address=None,
    )

    assert outcome.emailed == ["ann"]
    assert outcome.not_emailed == [("ben", "Willo has no email address for them")]
    email = OutboundEmail.objects.get()
    assert (email.participant_key, email.kind, email.delay_seconds) == (
        "ann",
        "rejection",
        4 * 3600,
    )
