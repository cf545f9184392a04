"""Read-through fill of the cache from the seeded sandbox, and the older-payload rule."""

from __future__ import annotations

import pytest

from willo_integration.models import CachedInterview, CachedParticipant
from willo_integration.sandbox.models import IDV_ANSWER_TYPES, Interview
from willo_integration.services.refresh import interview_refresh, interviews_refresh

from .conftest import requires_sandbox


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


def test_the_sandbox_answer_types_are_the_ones_we_treat_as_identity_checks():
    from willo_integration.schemas import IDENTITY_ANSWER_TYPES

    assert set(IDV_ANSWER_TYPES) == set(IDENTITY_ANSWER_TYPES)
