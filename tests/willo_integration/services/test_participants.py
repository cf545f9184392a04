"""The job page's selectors: filters, orderings, pipeline, neighbours, CSV, queries, scope."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from dashboard.models import Decision
from willo_integration.models import CachedParticipant
from willo_integration.services.decisions import (
    participant_latest_decision,
    participants_latest_decisions,
)
from willo_integration.services.errors import ParticipantNotFound, WilloUnavailable
from willo_integration.services.participants import (
    CSV_HEADER,
    ORDERINGS,
    REVIEW_ORDERINGS,
    ParticipantFilters,
    participant_get,
    participant_list,
    participant_neighbours,
    participant_pipeline,
    participant_refresh,
    participants_csv_rows,
)
from willo_integration.services.scope import Scope

from .conftest import T0, cached_interview, cached_participant, reply


def _keys(rows) -> list[str]:
    return [r.key for r in rows]


def _list(scope, interview, **filters) -> list[str]:
    return _keys(
        participant_list(scope=scope, interview=interview, filters=ParticipantFilters(**filters))
    )


@pytest.fixture
def job(scope):
    return cached_interview(scope)


def test_it_filters_by_status(scope, job):
    accepted = cached_participant(scope, job, status="Accepted")
    cached_participant(scope, job, status="Rejected")

    assert _list(scope, job, status="Accepted") == [accepted.key]


def test_it_filters_by_name(scope, job):
    ada = cached_participant(scope, job, name="Ada Lovelace")
    cached_participant(scope, job, name="Grace Hopper")

    assert _list(scope, job, q="lovel") == [ada.key]


def test_it_filters_by_email(scope, job):
    ada = cached_participant(scope, job, email="ada@engines.test")
    cached_participant(scope, job, email="grace@navy.test")

    assert _list(scope, job, q="ENGINES") == [ada.key]


def test_it_filters_by_score_range(scope, job):
    cached_participant(scope, job, average_score=1.5)
    middle = cached_participant(scope, job, average_score=3.0)
    cached_participant(scope, job, average_score=4.5)
    cached_participant(scope, job, average_score=None)

    assert _list(scope, job, score_min=2.0, score_max=4.0) == [middle.key]


def test_it_filters_by_response_date(scope, job):
    cached_participant(scope, job, responded_at=T0 - timedelta(days=3))
    inside = cached_participant(scope, job, responded_at=T0)
    cached_participant(scope, job, responded_at=T0 + timedelta(days=3))
    cached_participant(scope, job, responded_at=None)

    found = _list(scope, job, responded_from=T0.date() - timedelta(days=1), responded_to=T0.date())

    assert found == [inside.key]


def test_it_filters_by_identity_check(scope, job):
    checked = cached_participant(scope, job, has_identity_check=True)
    unchecked = cached_participant(scope, job, has_identity_check=False)

    assert _list(scope, job, has_identity_check=True) == [checked.key]
    assert _list(scope, job, has_identity_check=False) == [unchecked.key]


@pytest.mark.parametrize("ordering", sorted(set(ORDERINGS) - REVIEW_ORDERINGS))
def test_it_orders_the_list(scope, job, ordering):
    rows = [
        cached_participant(scope, job, name="Bea", average_score=2.0, responded_at=T0),
        cached_participant(scope, job, name="Abe", average_score=4.0, responded_at=None),
        cached_participant(
            scope, job, name="Cy", average_score=3.0, responded_at=T0 + timedelta(hours=1)
        ),
    ]
    name = ordering.lstrip("-")
    present = [r for r in rows if getattr(r, name) is not None]
    missing = [r for r in rows if getattr(r, name) is None]
    expected = sorted(present, key=lambda r: getattr(r, name), reverse=ordering.startswith("-"))

    assert _list(scope, job, ordering=ordering) == _keys(expected + missing)


@pytest.mark.parametrize("ordering", sorted(REVIEW_ORDERINGS))
def test_an_ordering_by_the_teams_reviews_needs_to_know_who_looks(scope, job, ordering):
    rows = [cached_participant(scope, job) for _ in range(3)]

    listed = _list(scope, job, ordering=ordering)

    assert listed == _keys(sorted(rows, key=lambda r: r.created_at, reverse=True))


def test_it_reads_filters_from_a_query_and_reports_invalid_values(scope):
    filters, errors = ParticipantFilters.from_query(
        QueryDict(
            "status=Accepted&score_min=abc&score_max=4&responded_from=2026-11-01"
            "&has_identity_check=yes&ordering=-name&q=+ada+"
        )
    )

    assert filters == ParticipantFilters(
        status="Accepted",
        q="ada",
        score_max=4.0,
        responded_from=date(2026, 11, 1),
        has_identity_check=True,
        ordering="-name",
    )
    assert set(errors) == {"score_min"}


def test_it_writes_filters_back_to_a_query():
    filters = ParticipantFilters(status="Completed", score_min=2.5, has_identity_check=False)

    assert ParticipantFilters.from_query(QueryDict(filters.as_query()))[0] == filters


def test_it_counts_each_pipeline_column(scope, job):
    for status in ["Invited", "Invited", "Completed", "Accepted", "Accepted", "Accepted"]:
        cached_participant(scope, job, status=status)

    columns = participant_pipeline(
        scope=scope, interview=job, filters=ParticipantFilters(status="Invited"), per_column=2
    )

    assert [(c.status, c.total, len(c.members), c.more) for c in columns] == [
        ("Invited", 2, 2, 0),
        ("Started", 0, 0, 0),
        ("Completed", 1, 1, 0),
        ("Accepted", 3, 2, 1),
        ("Rejected", 0, 0, 0),
    ]
    assert columns[3].query == "status=Accepted"


def test_it_finds_the_previous_and_next_candidate_in_the_filtered_order(scope, job):
    first = cached_participant(scope, job, name="A", status="Completed")
    cached_participant(scope, job, name="B", status="Rejected")
    middle = cached_participant(scope, job, name="C", status="Completed")
    last = cached_participant(scope, job, name="D", status="Completed")
    filters = ParticipantFilters(status="Completed", ordering="name")

    assert participant_neighbours(scope=scope, participant=middle, filters=filters) == (
        first.key,
        last.key,
    )
    assert participant_neighbours(scope=scope, participant=first, filters=filters) == (
        None,
        middle.key,
    )
    assert participant_neighbours(scope=scope, participant=last, filters=filters) == (
        middle.key,
        None,
    )


@pytest.mark.parametrize("ordering", list(ORDERINGS))
def test_the_neighbours_follow_every_ordering_through_ties_and_blanks(scope, job, ordering):
    rng = random.Random(ordering)
    for _ in range(14):
        cached_participant(
            scope,
            job,
            name=rng.choice(["Ann", "Bob", "Cy"]),
            average_score=rng.choice([None, 2.0, 3.5]),
            responded_at=rng.choice([None, T0, T0 + timedelta(days=1)]),
            created_at=rng.choice([T0, T0 + timedelta(hours=1)]),
        )
    filters = ParticipantFilters(ordering=ordering)
    listed = list(
        participant_list(scope=scope, interview=job, filters=filters).values_list("key", flat=True)
    )

    for i, key in enumerate(listed):
        row = CachedParticipant.objects.get(team=scope.team, key=key)
        expected = (listed[i - 1] if i else None, listed[i + 1] if i + 1 < len(listed) else None)
        assert participant_neighbours(scope=scope, participant=row, filters=filters) == expected


def test_a_candidate_the_filters_exclude_has_no_neighbours(scope, job):
    cached_participant(scope, job, status="Completed")
    rejected = cached_participant(scope, job, status="Rejected")

    filters = ParticipantFilters(status="Completed")
    assert participant_neighbours(scope=scope, participant=rejected, filters=filters) == (
        None,
        None,
    )


def test_it_exports_the_filtered_list_as_csv_rows(scope, job, django_user_model):
    cached_participant(
        scope,
        job,
        name="Ada",
        email="ada@example.com",
        status="Accepted",
        average_score=4.5,
        score_count=2,
        has_identity_check=True,
    )
    cached_participant(scope, job, name="Bob", status="Rejected")

    rows = list(
        participants_csv_rows(
            scope=scope,
            interview=job,
            filters=ParticipantFilters(status="Accepted"),
            viewer=django_user_model.objects.create_user("rita"),
        )
    )

    assert rows[0] == CSV_HEADER
    assert len(rows) == 2
    record = dict(zip(CSV_HEADER, rows[1], strict=True))
    assert record["Name"] == "Ada"
    assert record["Email"] == "ada@example.com"
    assert (record["Average score"], record["Scores"], record["Identity check"]) == (
        "4.5",
        "2",
        "yes",
    )


def test_it_defuses_spreadsheet_formulas_in_csv_cells(scope, job, django_user_model):
    cached_participant(scope, job, name='=HYPERLINK("http://evil.test")')
    viewer = django_user_model.objects.create_user("rita")

    rows = list(
        participants_csv_rows(
            scope=scope, interview=job, filters=ParticipantFilters(), viewer=viewer
        )
    )

    assert rows[1][1].startswith("'=")


def _queries_for_list(scope, job) -> int:
    with CaptureQueriesContext(connection) as captured:
        rows = participant_list(scope=scope, interview=job, filters=ParticipantFilters(q="a"))
        seen = [(r.name, r.status, r.average_score, r.location) for r in rows]
    assert seen
    return len(captured)


def test_it_lists_with_the_same_number_of_queries_for_10_or_200_rows(scope, job):
    other_job = cached_interview(scope)
    for n in range(10):
        row = cached_participant(scope, job, name=f"Ann {n}")
        Decision.objects.create(team=scope.team, participant_key=row.key, status="Accepted")
    small = _queries_for_list(scope, job)
    for n in range(200):
        row = cached_participant(scope, other_job, name=f"Ann {n}")
        Decision.objects.create(team=scope.team, participant_key=row.key, status="Rejected")

    large = _queries_for_list(scope, other_job)

    assert small == large == 1


def test_it_finds_each_candidates_latest_decision_in_one_query(scope, job):
    row = cached_participant(scope, job)
    undecided = cached_participant(scope, job)
    Decision.objects.create(
        team=scope.team, participant_key=row.key, status="Accepted", state=Decision.State.FAILED
    )
    Decision.objects.create(team=scope.team, participant_key=row.key, status="Rejected")

    with CaptureQueriesContext(connection) as captured:
        latest = participants_latest_decisions(scope=scope, keys=[row.key, undecided.key])

    assert len(captured) == 1
    assert list(latest) == [row.key]
    assert (latest[row.key].status, latest[row.key].state) == ("Rejected", "pending")


def test_it_never_returns_another_teams_candidates(scope, other_team, job):
    mine = cached_participant(scope, job, key="shared-key")
    theirs_scope = Scope(team=other_team)
    their_job = cached_interview(theirs_scope, key=job.key)
    cached_participant(theirs_scope, their_job, key="shared-key", name="Not yours")
    cached_participant(theirs_scope, their_job)

    assert _list(scope, job) == [mine.key]
    assert _list(scope, their_job) == []


def test_it_never_returns_another_agency_scopes_candidates(team, job, scope):
    child = Scope(team=team, child_key="c" * 32, agency_user_key="child-organisation-user-key")
    child_job = cached_interview(child, key=job.key)
    cached_participant(child, child_job)
    mine = cached_participant(scope, job)

    assert _list(scope, job) == [mine.key]
    assert child.key != scope.key


def test_it_returns_the_latest_decision_of_a_candidate(scope, other_team):
    Decision.objects.create(team=scope.team, participant_key="p1", status="Accepted")
    latest = Decision.objects.create(team=scope.team, participant_key="p1", status="Rejected")
    Decision.objects.create(team=other_team, participant_key="p1", status="Accepted")

    assert participant_latest_decision(scope=scope, participant_key="p1") == latest


# --- one candidate, read through -------------------------------------------------------


def _participant_body(key: str, **fields) -> dict:
    body = {
        "key": key,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "status": "Completed",
        "updated_at": "2026-11-02T09:00:00Z",
        "interview": {"key": "int1", "title": "Barista"},
        "score": {"average_score_snapshot": 4.0, "average_score_count": 2},
        "answers": [],
    }
    body.update(fields)
    return body


def test_it_fetches_a_candidate_missing_from_the_cache(scope, fake_willo):
    fake_willo.on("GET", "participants/p1/", reply(200, _participant_body("p1")))

    row, freshness = participant_get(scope=scope, key="p1")

    assert (row.name, row.status, row.average_score, row.score_count) == (
        "Ada Lovelace",
        "Completed",
        4.0,
        2,
    )
    assert row.interview.key == "int1"
    assert freshness.notice == ""


def test_it_serves_a_fresh_cached_candidate_without_asking_willo(scope, job, fake_willo):
    row = cached_participant(scope, job)

    found, _ = participant_get(scope=scope, key=row.key)

    assert found.pk == row.pk
    assert fake_willo.requests == []


def test_it_serves_the_cache_with_a_notice_when_willo_is_down(scope, job, fake_willo, settings):
    settings.WILLO_CACHE_TTL_SECONDS = 0
    row = cached_participant(
        scope, job, detail_fetched_at=datetime(2026, 11, 1, 8, 0, tzinfo=T0.tzinfo)
    )
    fake_willo.on("GET", "participants/", reply(503, {"detail": "down"}))

    found, freshness = participant_get(scope=scope, key=row.key)

    assert found.pk == row.pk
    assert "Willo is not answering" in freshness.notice
    assert freshness.as_of == row.detail_fetched_at


def test_it_says_willo_is_unavailable_when_nothing_is_cached(scope, fake_willo):
    fake_willo.on(
        "GET", "participants/", reply(429, {"detail": "slow down"}, **{"Retry-After": "30"})
    )

    with pytest.raises(WilloUnavailable, match="rate limited"):
        participant_get(scope=scope, key="p1")


def test_it_answers_404_for_a_candidate_willo_does_not_know(scope, fake_willo):
    with pytest.raises(ParticipantNotFound):
        participant_get(scope=scope, key="nobody")


def test_it_does_not_show_another_teams_cached_candidate(scope, other_team, fake_willo):
    theirs = Scope(team=other_team)
    cached_participant(theirs, cached_interview(theirs), key="theirs1")

    with pytest.raises(ParticipantNotFound):
        participant_get(scope=scope, key="theirs1")
    assert fake_willo.calls("GET", "participants/theirs1/")


def test_a_refresh_asks_willo_even_when_the_cache_is_fresh(scope, job, fake_willo):
    row = cached_participant(scope, job, key="p1", name="Old Name")
    fake_willo.on("GET", "participants/p1/", reply(200, _participant_body("p1")))

    found, freshness = participant_refresh(scope=scope, key="p1")

    assert found.pk == row.pk
    assert found.name == "Ada Lovelace"
    assert len(fake_willo.calls("GET", "participants/p1/")) == 1
    assert freshness.notice == ""


def test_a_failed_refresh_keeps_the_cached_candidate_with_a_notice(scope, job, fake_willo):
    row = cached_participant(scope, job, key="p1", name="Kept")
    fake_willo.on("GET", "participants/", reply(502, {"detail": "bad gateway"}))

    found, freshness = participant_refresh(scope=scope, key="p1")

    assert (found.pk, found.name) == (row.pk, "Kept")
    assert "Willo is not answering" in freshness.notice
