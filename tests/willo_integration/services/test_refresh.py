"""Read-through fill of the cache from the seeded sandbox, and the older-payload rule."""

from __future__ import annotations

from datetime import timedelta

import pytest

from willo_integration import schemas
from willo_integration.models import CachedInterview, CachedParticipant, Source
from willo_integration.sandbox.models import IDV_ANSWER_TYPES, Interview
from willo_integration.services.changes import changes_marker
from willo_integration.services.refresh import (
    interview_refresh,
    interviews_refresh,
    participant_store,
    participants_store,
)

from .conftest import T0, cached_interview, requires_sandbox


def _busiest_interview(organisation) -> Interview:
    return max(
        Interview.objects.filter(organisation=organisation),
        key=lambda i: i.participants.count(),
    )


@requires_sandbox
def test_it_fills_the_cache_with_statuses_scores_and_identity_checks(threaded_sandbox):
    interview = _busiest_interview(threaded_sandbox.organisation)
    steps: list[tuple[int, int]] = []

    count = interview_refresh(
        scope=threaded_sandbox.scope,
        key=interview.key,
        progress=lambda done, total: steps.append((done, total)),
    )

    expected = {p.key: p for p in interview.participants.all()}
    rows = {r.key: r for r in CachedParticipant.objects.filter(team=threaded_sandbox.team)}
    assert count == len(expected) > 0
    assert set(rows) == set(expected)
    for key, participant in expected.items():
        row = rows[key]
        assert row.status == participant.status
        assert row.detail_fetched_at is not None
        scores = [float(s.general_score) for s in participant.scores.all()]
        assert row.score_count == len(scores)
        if scores:
            assert row.average_score == pytest.approx(sum(scores) / len(scores), abs=0.01)
        has_idv = participant.answers.filter(question__answer_type__in=IDV_ANSWER_TYPES).exists()
        assert row.has_identity_check == has_idv
    cached = CachedInterview.objects.get(team=threaded_sandbox.team, key=interview.key)
    assert cached.participants_fetched_at is not None
    assert cached.questions()
    assert steps[-1] == (count, count)


@requires_sandbox
def test_it_lists_every_interview_of_the_organisation(sandbox):
    count = interviews_refresh(scope=sandbox.scope)

    keys = set(CachedInterview.objects.filter(team=sandbox.team).values_list("key", flat=True))
    assert keys == set(
        Interview.objects.filter(organisation=sandbox.organisation).values_list("key", flat=True)
    )
    assert count == len(keys)


def test_it_ignores_a_payload_older_than_the_cached_one(scope):
    newer = schemas.Participant(key="p1", status="Accepted", updated_at=T0 + timedelta(hours=1))
    older = schemas.Participant(key="p1", status="Rejected", updated_at=T0)
    participant_store(scope=scope, payload=newer, source=Source.READ)

    participant_store(scope=scope, payload=older, source=Source.WEBHOOK)

    row = CachedParticipant.objects.get(team=scope.team, key="p1")
    assert row.status == "Accepted"
    assert row.source == Source.READ


def test_a_batch_of_only_older_payloads_changes_nothing_and_tells_no_page(
    scope, django_capture_on_commit_callbacks
):
    newer = schemas.Participant(key="p1", status="Accepted", updated_at=T0 + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        participant_store(scope=scope, payload=newer, source=Source.READ)
    markers = (changes_marker(scope=scope), changes_marker(scope=scope, participant_key="p1"))

    older = schemas.Participant(key="p1", status="Rejected", updated_at=T0)
    with django_capture_on_commit_callbacks(execute=True):
        stored = participants_store(scope=scope, payloads=[older], source=Source.WEBHOOK)

    assert stored == []
    assert CachedParticipant.objects.get(team=scope.team, key="p1").status == "Accepted"
    assert markers[0] != "0"
    assert (changes_marker(scope=scope), changes_marker(scope=scope, participant_key="p1")) == (
        markers
    )


def test_it_ignores_an_older_status_change_with_the_same_updated_at(scope):
    newer = schemas.Participant(
        key="p1", status="Accepted", updated_at=T0, status_changed_at=T0 + timedelta(minutes=5)
    )
    older = schemas.Participant(key="p1", status="Rejected", updated_at=T0, status_changed_at=T0)
    participant_store(scope=scope, payload=newer, source=Source.READ)

    participant_store(scope=scope, payload=older, source=Source.WEBHOOK)

    assert CachedParticipant.objects.get(team=scope.team, key="p1").status == "Accepted"


def test_it_applies_a_newer_payload(scope):
    participant_store(
        scope=scope,
        payload=schemas.Participant(key="p1", status="Completed", updated_at=T0),
        source=Source.READ,
    )

    participant_store(
        scope=scope,
        payload=schemas.Participant(key="p1", status="Rejected", updated_at=T0 + timedelta(1)),
        source=Source.WEBHOOK,
    )

    assert CachedParticipant.objects.get(team=scope.team, key="p1").status == "Rejected"


def test_it_keeps_the_detail_status_when_a_list_item_arrives(scope):
    interview = cached_interview(scope)
    detail = schemas.Participant(key="p1", status="Completed", updated_at=T0, answers=[])
    participant_store(scope=scope, payload=detail, source=Source.READ, interview=interview)

    participant_store(
        scope=scope,
        payload=schemas.Participant(key="p1", name="Renamed Person"),
        source=Source.READ,
    )

    row = CachedParticipant.objects.get(team=scope.team, key="p1")
    assert (row.status, row.name, row.interview_id) == ("Completed", "Renamed Person", interview.pk)


def test_it_marks_identity_checks_from_the_answers(scope):
    payload = schemas.Participant.model_validate(
        {
            "key": "p1",
            "answers": [
                {"key": "a1", "question": {"key": "q1", "answer_type": "video"}},
                {"key": "a2", "question": {"key": "q2", "answer_type": "rtw"}},
            ],
        }
    )

    row = participant_store(scope=scope, payload=payload, source=Source.READ)

    assert row.has_identity_check


def test_it_leaves_identity_checks_off_without_identity_answers(scope):
    payload = schemas.Participant.model_validate(
        {"key": "p1", "answers": [{"key": "a1", "question": {"key": "q1", "answer_type": "text"}}]}
    )

    row = participant_store(scope=scope, payload=payload, source=Source.READ)

    assert not row.has_identity_check


def test_the_sandbox_answer_types_are_the_ones_we_treat_as_identity_checks():
    from willo_integration.schemas import IDENTITY_ANSWER_TYPES

    assert set(IDV_ANSWER_TYPES) == set(IDENTITY_ANSWER_TYPES)
