"""The cache writer: one set of rules for every payload, a candidate being a batch of one."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from willo_integration import schemas
from willo_integration.models import CachedParticipant, Source
from willo_integration.services import cache_writer
from willo_integration.services.cache_writer import participant_store, participants_store
from willo_integration.services.changes import changes_marker
from willo_integration.services.scope import Scope

from .conftest import T0, cached_interview, make_team


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


# -- a candidate is a batch of one -----------------------------------------------------

_stamps = st.one_of(st.none(), st.integers(0, 6).map(lambda h: T0 + timedelta(hours=h)))
_payloads = st.builds(
    lambda key, status, name, updated_at, status_changed_at, source: (
        schemas.Participant(
            key=key,
            status=status,
            name=name,
            updated_at=updated_at,
            status_changed_at=status_changed_at,
        ),
        source,
    ),
    key=st.sampled_from(["p1", "p2"]),
    status=st.sampled_from(["Invited", "Completed", "Accepted", "Rejected"]),
    name=st.sampled_from(["Ada", "Grace"]),
    updated_at=_stamps,
    status_changed_at=_stamps,
    source=st.sampled_from([Source.READ, Source.WEBHOOK, Source.SYNC]),
)
_seen = itertools.count()


def _cached(scope: Scope) -> dict[str, tuple]:
    return {
        row.key: (row.status, row.name, row.updated_at, row.status_changed_at, row.source)
        for row in CachedParticipant.objects.filter(team=scope.team, scope=scope.key)
    }


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(st.lists(_payloads, min_size=1, max_size=4), min_size=1, max_size=4))
def test_one_by_one_or_as_batches_the_cache_ends_the_same(batches, monkeypatch):
    rereads: dict[str, list[str]] = {"one": [], "batch": []}
    n = next(_seen)
    one = Scope(team=make_team(f"One {n}", "one-test-willo-key-000000000001"))
    batch = Scope(team=make_team(f"Batch {n}", "batch-test-willo-key-00000000001"))
    monkeypatch.setattr(
        cache_writer,
        "reread_later",
        lambda *, scope, key: rereads["one" if scope == one else "batch"].append(key),
    )

    for payloads in batches:
        for payload, source in payloads:
            participant_store(scope=one, payload=payload, source=source)
        # A batch is of one source, as the webhook apply's and the sync's are.
        for source, run in itertools.groupby(payloads, key=lambda item: item[1]):
            participants_store(scope=batch, payloads=[p for p, _ in run], source=source)

    assert _cached(one) == _cached(batch)
    assert rereads["one"] == rereads["batch"]


def another_writer_inserts(monkeypatch, scope: Scope, key: str, *, fetched_at) -> list[str]:
    """Another writer inserts ``key`` once, after the writer's locked read and before its
    insert, which then meets a real IntegrityError. The keys inserted so."""
    place = cache_writer._place
    raced: list[str] = []

    def racing(scope_, rows, interview):
        rows = list(rows)
        if not raced:
            raced.append(key)
            CachedParticipant.objects.create(
                team=scope.team,
                scope=scope.key,
                key=key,
                name="Someone else",
                status="Invited",
                fetched_at=fetched_at,
            )
        place(scope_, rows, interview)

    monkeypatch.setattr(cache_writer, "_place", racing)
    return raced


def test_a_candidate_inserted_by_another_writer_meanwhile_is_written_over(scope, monkeypatch):
    job = cached_interview(scope, key="int1")
    raced = another_writer_inserts(monkeypatch, scope, "p1", fetched_at=timezone.now())
    payloads = [
        schemas.Participant(key=f"p{n}", name=f"Candidate {n}", status="Completed")
        for n in range(3)
    ]

    written = participants_store(scope=scope, payloads=payloads, source=Source.READ, interview=job)

    assert raced == ["p1"]
    assert sorted(row.key for row in written) == ["p0", "p1", "p2"]
    rows = CachedParticipant.objects.filter(team=scope.team, interview=job).order_by("key")
    assert list(rows.values_list("key", "name", "status")) == [
        ("p0", "Candidate 0", "Completed"),
        ("p1", "Candidate 1", "Completed"),
        ("p2", "Candidate 2", "Completed"),
    ]


def test_known_only_updates_those_cached_and_adds_no_one(scope):
    job = cached_interview(scope, key="int1")
    participant_store(
        scope=scope, payload=schemas.Participant(key="p1", status="Completed"), source=Source.READ
    )

    written = participants_store(
        scope=scope,
        payloads=[
            schemas.Participant(key="p1", status="Accepted"),
            schemas.Participant(key="gone", status="Accepted"),
        ],
        source=Source.READ,
        interview=job,
        known_only=True,
    )

    assert [row.key for row in written] == ["p1"]
    assert dict(CachedParticipant.objects.filter(team=scope.team).values_list("key", "status")) == {
        "p1": "Accepted"
    }


def test_each_move_to_another_status_is_recorded_for_the_timeline(scope):
    from willo_integration.models import StatusChange

    first = schemas.Participant(key="p1", status="Invited", updated_at=T0)
    participant_store(scope=scope, payload=first, source=Source.SYNC)
    started = schemas.Participant(key="p1", status="Started", updated_at=T0 + timedelta(hours=1))
    done = schemas.Participant(
        key="p1",
        status="Completed",
        updated_at=T0 + timedelta(hours=2),
        status_changed_at=T0 + timedelta(hours=2),
        status_changed_by="willo@example.com",
    )
    participants_store(scope=scope, payloads=[started, done], source=Source.WEBHOOK)
    stale = schemas.Participant(key="p1", status="Invited", updated_at=T0)
    participant_store(scope=scope, payload=stale, source=Source.WEBHOOK)  # older: no move
    participant_store(scope=scope, payload=done, source=Source.READ)  # the same: no move

    moves = list(
        StatusChange.objects.filter(team=scope.team, participant_key="p1")
        .order_by("pk")
        .values_list("previous", "status", "changed_by", "source")
    )
    assert moves == [
        ("Invited", "Started", "", "webhook"),
        ("Started", "Completed", "willo@example.com", "webhook"),
    ]
    assert StatusChange.objects.get(status="Completed").changed_at == T0 + timedelta(hours=2)
