"""Webhooks: registration with Willo, the receiving view, applying events, the sweep."""

from __future__ import annotations

import io
import json
import logging
import random
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract.collection import webhook_payload_examples
from willo_integration import schemas
from willo_integration.models import (
    CachedInterview,
    CachedParticipant,
    ReceivedWebhook,
    Source,
    WebhookEndpoint,
)
from willo_integration.sandbox.models import Webhook as SandboxWebhook
from willo_integration.services.cache_writer import participant_store
from willo_integration.services.scope import Scope
from willo_integration.services.webhooks import (
    APPLY_DELAY_SECONDS,
    APPLY_PENDING_FLAG,
    token_digest,
    webhook_apply,
    webhook_apply_pending,
    webhook_register,
    webhook_replay,
    webhook_sweep,
    webhook_unregister,
)

from .conftest import (
    T0,
    TOKENS,
    cached_interview,
    cached_participant,
    make_team,
    reply,
    requires_sandbox,
)


@pytest.fixture
def job(scope):
    """The job the deliveries name, cached already."""
    return cached_interview(scope, key="int1")


def deliver(client, endpoint, body, token=TOKENS["new_response"], **extra):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        reverse("willo_webhook_receive", kwargs={"route": endpoint.route}),
        data=raw,
        content_type="application/json",
        headers={"Authorization": token},
        **extra,
    )


def participant_body(key: str = "p1", **fields) -> dict:
    body = {
        "key": key,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "status": "Completed",
        "interview": {"key": "int1", "title": "Barista"},
        "created_at": "2026-11-01T09:00:00Z",
        "updated_at": "2026-11-02T09:00:00Z",
        "answers": [],
    }
    body.update(fields)
    return body


def score_envelope(event_id: str = "evt_1", participant_key: str = "p1") -> dict:
    return {
        "id": event_id,
        "api_version": "v1",
        "type": "new_score",
        "data": {"participant": {"key": participant_key}, "score": {"key": "s1"}},
    }


# -- the receiving view -------------------------------------------------------------------


def test_a_new_response_is_stored_acknowledged_and_applied(
    client, endpoint, scope, job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, endpoint, participant_body())

    assert response.status_code == 202
    event = ReceivedWebhook.objects.get()
    assert (event.event, event.participant_key, event.state) == ("new_response", "p1", "applied")
    row = CachedParticipant.objects.get(team=scope.team, key="p1")
    assert (row.name, row.status, row.source) == ("Ada Lovelace", "Completed", Source.WEBHOOK)


def test_the_event_is_stored_before_anything_is_applied(client, endpoint):
    response = deliver(client, endpoint, participant_body())  # on_commit never runs here

    assert response.status_code == 202
    assert ReceivedWebhook.objects.get().state == "received"
    assert not CachedParticipant.objects.exists()


@pytest.mark.parametrize(
    "token", ["", "token-wrong", TOKENS["new_response"] + "x", f"Bearer {TOKENS['new_score']}"]
)
def test_a_bad_token_is_refused(client, endpoint, token):
    response = deliver(client, endpoint, participant_body(), token=token)

    assert response.status_code == 401
    assert not ReceivedWebhook.objects.exists()


def test_an_unknown_route_is_refused(client, endpoint):
    response = client.post(
        reverse("willo_webhook_receive", kwargs={"route": "nope"}),
        data=b"{}",
        content_type="application/json",
        headers={"Authorization": TOKENS["new_response"]},
    )

    assert response.status_code == 401


def test_a_flood_of_bad_tokens_is_logged_once_a_minute_per_source(client, endpoint, caplog):
    with caplog.at_level(logging.WARNING):  # every logger: django.request's too
        for _ in range(20):
            response = deliver(
                client, endpoint, participant_body(), token="bad", REMOTE_ADDR="203.0.113.77"
            )
            assert response.status_code == 401

    assert [r.name for r in caplog.records] == ["willo_integration.webhooks"]
    assert "refused (401)" in caplog.records[0].getMessage()


def nested(depth: int) -> bytes:
    return b"[" * depth + b"1" + b"]" * depth


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b"\xff\xfe",
        nested(10**4),
        nested(10**5),
        b'{"a":' * 10**5 + b"1" + b"}" * 10**5,
        b'{"key": "p1", "n": ' + b"9" * 5000 + b"}",
        b'{"key": "p1", "n": 1e400}',
        json.dumps(participant_body()).encode("utf-16"),
        json.dumps(participant_body()).encode("utf-16-le"),
        b"\xef\xbb\xbf" + json.dumps(participant_body()).encode(),
        json.dumps({"id": "evt_1", "type": "new_score", "data": "p1"}).encode(),
        json.dumps({"id": "evt_1", "type": "new_score", "data": None}).encode(),
        json.dumps({"id": "evt_1", "type": "new_score", "data": []}).encode(),
        json.dumps([participant_body()]).encode(),
        json.dumps(participant_body(key="p\x00")).encode(),
    ],
    ids=lambda body: body[:24].decode(errors="replace"),
)
def test_a_malformed_body_is_answered_400(client, endpoint, body, caplog):
    with caplog.at_level(logging.WARNING, logger="willo_integration.webhooks"):
        response = deliver(client, endpoint, body, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 400
    assert response.json() == {"detail": "Malformed delivery."}
    assert not ReceivedWebhook.objects.exists()
    (record,) = caplog.records
    assert "refused (400)" in record.getMessage()


def test_a_flood_of_malformed_bodies_is_logged_once_a_minute_per_source(client, endpoint, caplog):
    with caplog.at_level(logging.WARNING):
        for _ in range(20):
            response = deliver(client, endpoint, nested(10**5), REMOTE_ADDR="203.0.113.78")
            assert response.status_code == 400

    assert [r.name for r in caplog.records] == ["willo_integration.webhooks"]


@pytest.mark.parametrize(
    ("example", "token"),
    [
        ("new_response", "new_response"),
        ("stage_change", "status_change"),
        ("new_comment", "new_comment"),
        ("new_score", "new_score"),
    ],
)
def test_every_documented_delivery_is_accepted(client, endpoint, example, token):
    payload = webhook_payload_examples()[example]

    response = deliver(client, endpoint, payload, token=TOKENS[token])

    assert response.status_code == 202
    event = ReceivedWebhook.objects.get()
    participant = payload["data"]["participant"] if "data" in payload else payload
    assert (event.event, event.participant_key) == (token, participant["key"])
    assert json.loads(event.body) == payload


def json_values(numbers):
    return st.recursive(
        st.none() | st.booleans() | numbers | st.text(),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=20,
    )


JSON = json_values(st.integers() | st.floats())  # NaN and infinities too
# Shapes near the two accepted ones (finite numbers), so the property reaches the INSERT.
FIELDS = st.dictionaries(
    st.text(), json_values(st.integers() | st.floats(allow_nan=False, allow_infinity=False))
)
PARTICIPANTS = st.builds(lambda fields, key: {**fields, "key": key}, FIELDS, st.text(min_size=1))
ENVELOPES = st.builds(
    lambda suffix, kind, data: {"id": f"evt_{suffix}", "type": kind, "data": data},
    st.text(),
    st.sampled_from([*TOKENS, "interview_archived"]) | JSON,
    FIELDS | JSON | st.builds(lambda d, p: {**d, "participant": p}, FIELDS, PARTICIPANTS | JSON),
)


def _encoded(value, encoding: str) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode(encoding, "surrogatepass")


ENCODINGS = st.sampled_from(["utf-8", "utf-16", "utf-32", "utf-8-sig"])
BODIES = (
    st.binary(max_size=300)
    | st.builds(_encoded, JSON | PARTICIPANTS | ENVELOPES, ENCODINGS)
    | st.builds(lambda value: json.dumps(value).encode(), PARTICIPANTS | ENVELOPES)
    | st.builds(_encoded, PARTICIPANTS | ENVELOPES, st.just("utf-8"))
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES, token=st.sampled_from(list(TOKENS.values())))
def test_no_body_gets_a_5xx_and_what_is_acknowledged_is_stored(client, endpoint, body, token):
    before = ReceivedWebhook.objects.count()

    response = deliver(client, endpoint, body, token=token)

    assert response.status_code in (200, 202, 400, 413)
    stored = ReceivedWebhook.objects.count() - before
    if response.status_code == 202:
        assert stored == 1
        assert ReceivedWebhook.objects.latest("pk").body.encode() == body
    else:
        assert stored == 0
    if response.status_code == 200:  # a repeat of a delivery stored before
        payload = json.loads(body)
        assert ReceivedWebhook.objects.filter(
            Q(body=body.decode()) | Q(dedupe_key=f"evt:{payload.get('id')}"[:140])
        ).exists()


def test_a_body_over_the_limit_is_refused_unread(client, endpoint, settings):
    settings.WILLO_WEBHOOK_MAX_BODY_BYTES = 100

    response = deliver(client, endpoint, participant_body(name="x" * 200))

    assert response.status_code == 413
    assert not ReceivedWebhook.objects.exists()


def test_only_post_is_allowed(client, endpoint):
    url = reverse("willo_webhook_receive", kwargs={"route": endpoint.route})

    assert client.get(url).status_code == 405


def test_a_repeated_delivery_is_acknowledged_and_not_applied_twice(
    client, endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = deliver(client, endpoint, participant_body())
    with django_capture_on_commit_callbacks() as callbacks:
        again = deliver(client, endpoint, participant_body())

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json() == {"status": "duplicate"}
    assert ReceivedWebhook.objects.count() == 1
    assert callbacks == []  # nothing enqueued for the repeat


def test_an_enveloped_event_is_recognised_by_its_evt_id(client, endpoint, fake_willo):
    envelope = score_envelope("evt_42")
    first = deliver(client, endpoint, envelope, token=TOKENS["new_score"])
    # The same event, serialised differently: still the same delivery.
    again = deliver(
        client, endpoint, json.dumps(envelope, indent=2).encode(), token=TOKENS["new_score"]
    )

    assert (first.status_code, again.status_code) == (202, 200)
    assert ReceivedWebhook.objects.get().dedupe_key == "evt:evt_42"


def test_the_same_body_for_another_event_is_not_a_duplicate(client, endpoint):
    deliver(client, endpoint, participant_body(), token=TOKENS["new_response"])
    deliver(client, endpoint, participant_body(), token=TOKENS["status_change"])

    assert sorted(ReceivedWebhook.objects.values_list("event", flat=True)) == [
        "new_response",
        "status_change",
    ]


def test_an_unknown_event_type_is_stored_and_ignored(
    client, endpoint, django_capture_on_commit_callbacks
):
    envelope = {"id": "evt_9", "type": "interview_archived", "data": {}}
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, endpoint, envelope, token=TOKENS["new_score"])

    assert response.status_code == 202
    event = ReceivedWebhook.objects.get()
    assert (event.event, event.state) == ("interview_archived", "ignored")


# -- applying -----------------------------------------------------------------------------


def _stored(endpoint, event: str, body: dict, **fields) -> ReceivedWebhook:
    return ReceivedWebhook.objects.create(
        team=endpoint.team,
        scope=endpoint.scope,
        endpoint=endpoint,
        event=event,
        dedupe_key=f"test:{ReceivedWebhook.objects.count()}",
        participant_key=fields.pop("participant_key", body.get("key", "")),
        body=json.dumps(body),
        **fields,
    )


def test_an_older_payload_does_not_overwrite_a_newer_one(endpoint, scope):
    job = cached_interview(scope, key="int1")
    cached_participant(
        scope, job, key="p1", status="Accepted", updated_at=T0 + timedelta(days=5), name="Now"
    )
    event = _stored(endpoint, "status_change", participant_body(status="Rejected", name="Then"))

    assert webhook_apply(event_id=event.pk) == "applied"
    row = CachedParticipant.objects.get(key="p1")
    assert (row.status, row.name) == ("Accepted", "Now")


def test_deliveries_for_a_child_no_longer_listed_are_ignored(scope, caplog):
    gone = WebhookEndpoint.objects.create(
        team=scope.team, scope="child-gone", public_url="https://dash.example/webhooks/willo/y/"
    )
    carried = _stored(gone, "new_response", participant_body())  # stored with its batch
    reread = _stored(gone, "new_score", score_envelope(), participant_key="p1")  # re-read

    with caplog.at_level(logging.INFO, logger="willo_integration.webhooks"):
        states = [webhook_apply(event_id=event.pk) for event in (carried, reread)]

    assert states == ["ignored", "ignored"]
    assert not CachedParticipant.objects.exists()
    for event in (carried, reread):
        assert f"webhook events [{event.pk}] are for a child no longer listed" in caplog.text


def test_applying_twice_changes_nothing_the_second_time(endpoint, scope, job):
    event = _stored(endpoint, "new_response", participant_body())
    webhook_apply(event_id=event.pk)
    CachedParticipant.objects.filter(key="p1").update(name="Edited since")

    assert webhook_apply(event_id=event.pk) == "applied"
    assert CachedParticipant.objects.get(key="p1").name == "Edited since"


def test_a_new_score_re_reads_the_candidate(endpoint, scope, fake_willo):
    fake_willo.on("GET", "participants/p1/", reply(200, participant_body(avg_score="4.5")))
    event = _stored(endpoint, "new_score", score_envelope(), participant_key="p1")

    assert webhook_apply(event_id=event.pk) == "applied"
    assert fake_willo.calls("GET", "participants/p1/")
    assert CachedParticipant.objects.get(key="p1").name == "Ada Lovelace"


def _due_now(event: ReceivedWebhook) -> None:
    """Time passes: the event's next attempt is due."""
    ReceivedWebhook.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now())


def test_a_new_score_waits_while_willo_is_down_then_fails_after_the_last_attempt(
    endpoint, scope, fake_willo
):
    fake_willo.on("GET", "participants/", reply(503, {"detail": "down"}))
    event = _stored(endpoint, "new_score", score_envelope(), participant_key="p1")

    states, waits = [], []
    for _ in range(5):
        before = timezone.now()
        states.append(webhook_apply(event_id=event.pk))
        event.refresh_from_db()
        if event.next_attempt_at:
            waits.append(round((event.next_attempt_at - before).total_seconds()))
            _due_now(event)

    assert states == ["received"] * 4 + ["failed"]
    assert waits == [5, 10, 20, 40]  # exponential: retry_policy.backoff
    event.refresh_from_db()
    assert (event.attempts, event.next_attempt_at) == (5, None)
    assert "rate limited" in event.last_error or "not answering" in event.last_error


def test_a_delivery_waiting_for_willo_is_not_tried_before_it_is_due(endpoint, scope, fake_willo):
    fake_willo.on(
        "GET", "participants/", reply(429, {"detail": "slow down"}, **{"Retry-After": "90"})
    )
    event = _stored(endpoint, "new_score", score_envelope(), participant_key="p1")

    assert webhook_apply(event_id=event.pk) == "received"
    event.refresh_from_db()
    wait = (event.next_attempt_at - timezone.now()).total_seconds()
    assert 85 < wait <= 90  # as Willo asked
    assert (event.attempts, event.last_traceback) == (1, "")
    calls = len(fake_willo.requests)

    assert webhook_apply(event_id=event.pk) == "received"  # not due: not tried
    assert webhook_apply_pending().applied == 0
    assert webhook_sweep(older_than=timedelta(0)) == 0
    assert len(fake_willo.requests) == calls
    assert ReceivedWebhook.objects.get(pk=event.pk).attempts == 1


def test_a_replay_applies_a_failed_event_again(endpoint, scope, job):
    event = _stored(endpoint, "new_response", participant_body(), state="failed", attempts=5)

    assert webhook_replay(event_id=event.pk) == "applied"
    assert CachedParticipant.objects.filter(key="p1").exists()


def test_the_sweep_applies_events_that_were_never_enqueued(endpoint, scope, job):
    stale = _stored(endpoint, "new_response", participant_body("p1"))
    fresh = _stored(endpoint, "new_response", participant_body("p2"))
    ReceivedWebhook.objects.filter(pk=stale.pk).update(
        received_at=timezone.now() - timedelta(minutes=5)
    )

    assert webhook_sweep() == 1  # eager Celery here: enqueued means applied
    assert ReceivedWebhook.objects.get(pk=stale.pk).state == "applied"
    assert ReceivedWebhook.objects.get(pk=fresh.pk).state == "received"


def test_a_burst_of_deliveries_asks_a_worker_once_until_it_starts(
    client, endpoint, job, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from willo_integration import tasks

    asked = []
    monkeypatch.setattr(
        tasks.webhook_apply_pending_task, "apply_async", lambda **options: asked.append(options)
    )
    cache.delete(APPLY_PENDING_FLAG)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            assert deliver(client, endpoint, participant_body(f"p{n}")).status_code == 202

    assert asked == [{"countdown": APPLY_DELAY_SECONDS}]  # once, shortly after the first
    assert webhook_apply_pending().applied == 5  # the worker's run: all of the burst
    assert set(ReceivedWebhook.objects.values_list("state", flat=True)) == {"applied"}
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, endpoint, participant_body("late"))
    assert len(asked) == 2  # stored after the run started: asks again


def test_with_the_broker_down_a_delivery_is_kept_for_the_sweep(
    client, endpoint, job, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    from django.core.cache import cache

    from willo_integration import tasks

    def broker_down(**options):
        raise ConnectionError("broker unreachable")

    enqueue = tasks.webhook_apply_pending_task.apply_async
    monkeypatch.setattr(tasks.webhook_apply_pending_task, "apply_async", broker_down)
    cache.delete(APPLY_PENDING_FLAG)
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, endpoint, participant_body())

    assert response.status_code == 202
    assert ReceivedWebhook.objects.get().state == "received"
    assert cache.get(APPLY_PENDING_FLAG) is None  # the next delivery asks again
    assert "the sweep will apply them" in caplog.text
    monkeypatch.setattr(tasks.webhook_apply_pending_task, "apply_async", enqueue)  # it is back
    assert webhook_sweep(older_than=timedelta(0)) == 1
    assert ReceivedWebhook.objects.get().state == "applied"


def test_a_run_applies_a_mixed_burst_each_event_to_its_own_outcome(endpoint, scope, fake_willo):
    job = cached_interview(scope, key="int1")
    cached_participant(scope, job, key="p0", status="Accepted", updated_at=T0 + timedelta(9))
    fake_willo.on("GET", "participants/p9/", reply(200, {"key": "p9", "status": "Completed"}))
    stale = participant_body("p0", status="Rejected")  # older than the cached Accepted
    events = [
        *(_stored(endpoint, "new_response", participant_body(f"p{n}")) for n in range(1, 4)),
        _stored(endpoint, "status_change", participant_body("p1", status="Rejected",
                                                            updated_at="2026-11-03T09:00:00Z")),
        _stored(endpoint, "status_change", stale),
        _stored(endpoint, "new_response", {"key": "p5", "status": {"not": "a status"}}),
        _stored(endpoint, "new_score", score_envelope(participant_key="p9"), participant_key="p9"),
        _stored(endpoint, "candidate_archived", {"key": "p6"}),
    ]  # fmt: skip

    assert webhook_apply_pending().applied == 7

    states = dict(ReceivedWebhook.objects.values_list("pk", "state"))
    assert [states[event.pk] for event in events] == ["applied"] * 5 + [
        "failed", "applied", "ignored",
    ]  # fmt: skip
    assert ReceivedWebhook.objects.get(pk=events[5].pk).last_error.startswith("unreadable")
    assert set(ReceivedWebhook.objects.values_list("attempts", flat=True)) == {1}
    rows = {row.key: row for row in CachedParticipant.objects.filter(team=scope.team)}
    assert rows["p1"].status == "Rejected"  # the later delivery of the same burst won
    assert rows["p0"].status == "Accepted"  # the stale one changed nothing
    assert {rows[k].interview_id for k in ("p1", "p2", "p3")} == {job.pk}
    assert rows["p9"].source == Source.READ  # re-read from Willo
    scope.team.refresh_from_db()
    assert scope.team.last_webhook_at == max(e.received_at for e in events)


def test_a_burst_of_new_responses_costs_a_few_queries_not_a_few_each(endpoint, scope):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cached_interview(scope, key="int1")
    for n in range(40):
        _stored(endpoint, "new_response", participant_body(f"p{n}"))

    with CaptureQueriesContext(connection) as queries:
        assert webhook_apply_pending().applied == 40

    assert CachedParticipant.objects.filter(team=scope.team, interview__key="int1").count() == 40
    # Per chunk of 20: the events, the cached candidates, their jobs, one INSERT, one UPDATE
    # (and savepoints); applied one by one it was ~9 statements a delivery.
    assert len(queries) < 40


def test_a_candidate_inserted_meanwhile_by_another_writer_still_gets_its_delivery(
    endpoint, scope, monkeypatch
):
    from .test_cache_writer import another_writer_inserts

    job = cached_interview(scope, key="int1")
    for n in range(3):
        _stored(endpoint, "new_response", participant_body(f"p{n}", name=f"Candidate {n}"))
    # Read before the deliveries' updated_at, so they can be ordered against it.
    raced = another_writer_inserts(monkeypatch, scope, "p1", fetched_at=T0 - timedelta(days=1))

    assert webhook_apply_pending().applied == 3

    assert raced == ["p1"]  # and the insert of the three met it: a real IntegrityError
    assert set(ReceivedWebhook.objects.values_list("state", flat=True)) == {"applied"}
    rows = CachedParticipant.objects.filter(team=scope.team, interview=job).order_by("key")
    assert list(rows.values_list("key", "name", "status")) == [
        ("p0", "Candidate 0", "Completed"),
        ("p1", "Candidate 1", "Completed"),  # the row now there, written over
        ("p2", "Candidate 2", "Completed"),
    ]


def test_a_run_applies_a_batch_and_asks_for_the_next_while_more_waits(
    endpoint, scope, job, monkeypatch
):
    from django.core.cache import cache

    from willo_integration.services.webhooks import apply

    monkeypatch.setattr(apply, "APPLY_BATCH", 3)
    for n in range(5):
        _stored(endpoint, "new_response", participant_body(f"p{n}"))
    cache.delete(APPLY_PENDING_FLAG)

    first = webhook_apply_pending()
    assert (first.applied, first.next_run_in) == (3, 0)
    assert cache.get(APPLY_PENDING_FLAG)  # deliveries stored meanwhile need not ask again
    last = webhook_apply_pending()
    assert (last.applied, last.next_run_in) == (2, None)
    assert set(ReceivedWebhook.objects.values_list("state", flat=True)) == {"applied"}


def test_the_task_enqueues_itself_again_until_what_is_stored_is_applied(
    endpoint, scope, job, monkeypatch
):
    from willo_integration import tasks
    from willo_integration.services.webhooks import apply

    monkeypatch.setattr(apply, "APPLY_BATCH", 2)
    for n in range(5):
        _stored(endpoint, "new_response", participant_body(f"p{n}"))

    tasks.webhook_apply_pending_task.delay()  # eager here: each next run at once

    assert set(ReceivedWebhook.objects.values_list("state", flat=True)) == {"applied"}


def test_the_sweeps_run_carries_itself_on_over_what_was_stored_before_it(
    endpoint, scope, job, monkeypatch
):
    from willo_integration.services.webhooks import apply

    monkeypatch.setattr(apply, "APPLY_BATCH", 2)
    old = [_stored(endpoint, "new_response", participant_body(f"p{n}")) for n in range(3)]
    ReceivedWebhook.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    fresh = _stored(endpoint, "new_response", participant_body("fresh"))

    assert webhook_sweep() == 3  # eager here: the runs apply them at once

    assert {ReceivedWebhook.objects.get(pk=e.pk).state for e in old} == {"applied"}
    assert ReceivedWebhook.objects.get(pk=fresh.pk).state == "received"  # the receiver's


def test_a_run_leaves_deliveries_waiting_for_willo_until_they_are_due(endpoint, scope, job):
    waiting = _stored(endpoint, "new_score", score_envelope(), attempts=1,
                      next_attempt_at=timezone.now() + timedelta(minutes=1))  # fmt: skip
    new = _stored(endpoint, "new_response", participant_body("p2"))

    assert webhook_apply_pending().applied == 1

    assert ReceivedWebhook.objects.get(pk=new.pk).state == "applied"
    assert ReceivedWebhook.objects.get(pk=waiting.pk).state == "received"
    assert ReceivedWebhook.objects.get(pk=waiting.pk).attempts == 1


# -- one delivery at fault never holds up the others ------------------------------------------


def test_text_postgresql_refuses_is_cleaned_before_it_is_stored(endpoint, scope, job):
    answer = {"key": "a1", "created_at": "2026-11-01T09:05:00Z",
              "transcript": {"text": "I\u0000 like \ud800coffee"}}  # fmt: skip
    body = participant_body(name="Ada\u0000 Lovelace", answers=[answer])
    event = _stored(endpoint, "new_response", body)  # JSON escapes: \u0000, \ud800
    assert "\\u0000" in event.body

    assert webhook_apply(event_id=event.pk) == "applied"  # on PostgreSQL: no DataError

    row = CachedParticipant.objects.get(key="p1")
    assert row.name == "Ada Lovelace"
    assert row.detail["name"] == "Ada Lovelace"
    assert row.detail["answers"][0]["transcript"]["text"] == "I like \ufffdcoffee"
    assert row.interview_id == job.pk


def _raising_for(monkeypatch, key: str, exc: Exception) -> None:
    """Storing the candidate ``key`` raises ``exc`` (as PostgreSQL's DataError would)."""
    from willo_integration.services import cache_writer

    merge = cache_writer._merge

    def failing(row, payload, source, now):
        if payload.key == key:
            raise exc
        merge(row, payload, source, now)

    monkeypatch.setattr(cache_writer, "_merge", failing)


def test_a_delivery_that_raises_fails_alone_and_the_rest_of_its_batch_lands(
    endpoint, scope, job, monkeypatch
):
    from django.db import DataError

    _raising_for(monkeypatch, "p2", DataError("invalid byte sequence for encoding UTF8: 0x00"))
    events = [_stored(endpoint, "new_response", participant_body(f"p{n}")) for n in range(1, 5)]
    later = _stored(endpoint, "new_response", participant_body("p9"))

    assert webhook_apply_pending().applied == 4

    states = dict(ReceivedWebhook.objects.values_list("pk", "state"))
    assert [states[e.pk] for e in [*events, later]] == [
        "applied", "failed", "applied", "applied", "applied",
    ]  # fmt: skip
    failed = ReceivedWebhook.objects.get(pk=events[1].pk)
    assert failed.last_error == "DataError: invalid byte sequence for encoding UTF8: 0x00"
    assert "Traceback (most recent call last)" in failed.last_traceback
    assert "DataError" in failed.last_traceback
    assert (failed.attempts, failed.next_attempt_at) == (1, None)
    keys = set(CachedParticipant.objects.filter(interview=job).values_list("key", flat=True))
    assert keys == {"p1", "p3", "p4", "p9"}
    assert webhook_apply_pending().applied == 0  # nothing left at the head of the queue


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL refuses U+0000")
def test_on_postgresql_uncleaned_text_would_fail_only_its_own_delivery(
    endpoint, scope, job, monkeypatch
):
    from willo_integration.services import cache_writer

    monkeypatch.setattr(cache_writer, "_text", lambda value, limit: (value or "")[:limit])
    bad = _stored(endpoint, "new_response", participant_body("p1", name="Ada\x00"))
    good = _stored(endpoint, "new_response", participant_body("p2"))

    assert webhook_apply_pending().applied == 1

    bad.refresh_from_db()
    assert bad.state == "failed"
    assert bad.last_error.startswith("DataError")
    assert ReceivedWebhook.objects.get(pk=good.pk).state == "applied"
    assert list(CachedParticipant.objects.values_list("key", flat=True)) == ["p2"]


def test_the_admin_shows_why_a_delivery_failed_and_replays_it_due_at_once(
    admin_client, endpoint, job, monkeypatch
):
    _raising_for(monkeypatch, "p1", RuntimeError("boom"))
    event = _stored(endpoint, "new_response", participant_body())
    webhook_apply(event_id=event.pk)
    monkeypatch.undo()

    listing = admin_client.get(
        reverse("admin:willo_integration_receivedwebhook_changelist"), {"state__exact": "failed"}
    )
    detail = admin_client.get(
        reverse("admin:willo_integration_receivedwebhook_change", args=[event.pk])
    )
    waiting = _stored(endpoint, "new_response", participant_body("p2"), attempts=2,
                      next_attempt_at=timezone.now() + timedelta(hours=1))  # fmt: skip
    replay = admin_client.post(
        reverse("admin:willo_integration_receivedwebhook_changelist"),
        {"action": "replay", "_selected_action": [event.pk, waiting.pk]},
        follow=True,
    )

    assert "RuntimeError: boom" in listing.content.decode()
    page = detail.content.decode()
    assert "Next attempt at" in page
    assert "Traceback (most recent call last)" in page
    assert "Replayed 2: 2 applied." in replay.content.decode()
    waiting.refresh_from_db()
    assert (waiting.state, waiting.next_attempt_at, waiting.attempts) == ("applied", None, 1)


# -- ordering: a payload that cannot be ordered asks for a re-read -----------------------------


def test_a_payload_without_updated_at_never_reverts_a_newer_row_and_asks_for_a_re_read(
    endpoint, scope, job, fake_willo, django_capture_on_commit_callbacks
):
    cached_participant(scope, job, key="p1", name="Ada King", status="Accepted",
                       updated_at=T0 + timedelta(days=5))  # fmt: skip
    fresh = participant_body(name="Ada King", status="Accepted", updated_at="2026-11-09T09:00:00Z")
    fake_willo.on("GET", "participants/p1/", reply(200, fresh))
    stale = participant_body(name="Ada Lovelace", status="Completed")
    del stale["updated_at"]
    event = _stored(endpoint, "status_change", stale)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert webhook_apply(event_id=event.pk) == "applied"

    row = CachedParticipant.objects.get(key="p1")
    assert (row.name, row.status) == ("Ada King", "Accepted")
    assert not fake_willo.calls("GET")  # asked for on commit, not inline
    for callback in callbacks:  # commit: the re-read task (eager here)
        callback()
    assert fake_willo.calls("GET", "participants/p1/")
    row.refresh_from_db()
    assert (row.status, row.source, row.updated_at) == ("Accepted", Source.READ, T0 + timedelta(7))


@pytest.fixture
def rereads(monkeypatch) -> list[tuple]:
    """The re-reads asked for (the task's arguments), instead of running them."""
    from willo_integration import tasks

    asked: list[tuple] = []
    monkeypatch.setattr(tasks.participant_refresh_task, "delay", lambda *args: asked.append(args))
    return asked


def test_a_payload_without_updated_at_applies_when_its_status_change_is_later_than_the_row(
    endpoint, scope, job, rereads, django_capture_on_commit_callbacks
):
    cached_participant(scope, job, key="p1", status="Completed", updated_at=T0)
    later = participant_body(status="Rejected", status_changed_at="2026-11-03T09:00:00Z")
    del later["updated_at"]
    event = _stored(endpoint, "status_change", later)

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_apply(event_id=event.pk) == "applied"

    assert CachedParticipant.objects.get(key="p1").status == "Rejected"
    assert rereads == []  # ordered: no re-read


def test_a_webhook_older_than_a_list_read_of_the_row_asks_for_a_re_read(
    endpoint, scope, job, rereads, django_capture_on_commit_callbacks
):
    # Known from a list row (no updated_at, no status), read after the delivery's change.
    cached_participant(scope, job, key="p1", name="Ada King", status="")
    event = _stored(endpoint, "new_response", participant_body(name="Ada Lovelace"))

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_apply(event_id=event.pk) == "applied"

    assert CachedParticipant.objects.get(key="p1").name == "Ada King"
    assert rereads == [(scope.team.pk, "", "", "p1")]


def test_a_read_without_updated_at_is_willos_state_now_and_applies(scope, job):
    cached_participant(scope, job, key="p1", name="Ada King", updated_at=T0)

    participant_store(scope=scope, payload=schemas.Participant(key="p1", name="Ada Lovelace"),
                      source=Source.READ)  # fmt: skip

    assert CachedParticipant.objects.get(key="p1").name == "Ada Lovelace"


def test_the_re_read_task_tries_again_while_willo_is_down(scope, job, fake_willo, monkeypatch):
    from celery.exceptions import Retry

    from willo_integration.tasks import participant_refresh_task

    cached_participant(scope, job, key="p1")
    fake_willo.on("GET", "participants/p1/", reply(429, {"detail": "slow"}, **{"Retry-After": "7"}))
    retried = {}

    def retry(**options):
        retried.update(options)
        return Retry()

    monkeypatch.setattr(participant_refresh_task, "retry", retry)
    request = participant_refresh_task.request
    monkeypatch.setattr(request, "is_eager", False, raising=False)
    monkeypatch.setattr(request, "retries", 0, raising=False)

    with pytest.raises(Retry):
        participant_refresh_task.run(scope.team.pk, "", "", "p1")

    assert retried == {"countdown": 7.0}


# -- a candidate the cache has never seen ------------------------------------------------------


def _job_detail(key: str = "int1") -> dict:
    return {"key": key, "title": "Night Barista", "invite_link": "https://willotalent.com/i/x/",
            "created_at": "2026-10-01T09:00:00Z", "questions": []}  # fmt: skip


def test_a_candidate_who_applied_through_the_public_link_lands_in_their_job(
    endpoint, scope, fake_willo
):
    fake_willo.on("GET", "interviews/int1/", reply(200, _job_detail()))
    first = _stored(endpoint, "new_response", participant_body("p1"))
    second = _stored(endpoint, "status_change", participant_body("p2", status="Started"))

    assert webhook_apply_pending().applied == 2

    job = CachedInterview.objects.get(team=scope.team, key="int1")
    assert (job.title, job.detail_fetched_at is not None) == ("Night Barista", True)
    assert len(fake_willo.calls("GET", "interviews/int1/")) == 1  # once for the batch
    rows = CachedParticipant.objects.filter(team=scope.team, interview=job)
    assert sorted(rows.values_list("key", "status")) == [("p1", "Completed"), ("p2", "Started")]
    assert {e.state for e in ReceivedWebhook.objects.filter(pk__in=[first.pk, second.pk])} == {
        "applied"
    }


def test_a_candidate_whose_job_cannot_be_read_yet_waits_and_the_others_land(
    endpoint, scope, job, fake_willo
):
    fake_willo.on("GET", "interviews/int2/", reply(503, {"detail": "down"}),
                  reply(200, _job_detail("int2")))  # fmt: skip
    chef = participant_body("p2", interview={"key": "int2", "title": "Chef"})
    elsewhere = _stored(endpoint, "new_response", chef)
    known = _stored(endpoint, "new_response", participant_body("p1"))

    assert webhook_apply_pending().applied == 1

    elsewhere.refresh_from_db()
    assert (elsewhere.state, elsewhere.attempts) == ("received", 1)
    assert elsewhere.next_attempt_at > timezone.now()
    assert ReceivedWebhook.objects.get(pk=known.pk).state == "applied"
    assert CachedParticipant.objects.get(key="p1").interview_id == job.pk

    _due_now(elsewhere)
    assert webhook_apply_pending().applied == 1  # Willo answers now
    row = CachedParticipant.objects.get(key="p2")
    assert row.interview == CachedInterview.objects.get(team=scope.team, key="int2")
    assert ReceivedWebhook.objects.get(pk=elsewhere.pk).state == "applied"


# -- registration against the sandbox -------------------------------------------------------


@requires_sandbox
def test_it_registers_the_four_events_each_with_its_own_token(sandbox):
    endpoint = webhook_register(scope=sandbox.scope, public_url="https://dash.example")

    hooks = SandboxWebhook.objects.filter(url=endpoint.public_url)
    assert endpoint.public_url == f"https://dash.example/webhooks/willo/{endpoint.route}/"
    assert sorted(h.event for h in hooks) == sorted(TOKENS)
    tokens = [h.token for h in hooks]
    assert len(set(tokens)) == 4
    assert all(0 < len(t) <= 128 for t in tokens)
    digests = {s.event: s.token_digest for s in endpoint.subscriptions.all()}
    assert {h.event: token_digest(h.token) for h in hooks} == digests


@requires_sandbox
def test_registering_again_replaces_the_webhooks_and_unregister_removes_them(sandbox):
    first = webhook_register(scope=sandbox.scope, public_url="https://dash.example")
    again = webhook_register(scope=sandbox.scope, public_url="https://dash.example")

    assert first.route == again.route
    assert SandboxWebhook.objects.filter(url=again.public_url).count() == 4
    assert webhook_unregister(scope=sandbox.scope) == 4
    assert not SandboxWebhook.objects.filter(url=again.public_url).exists()
    assert not WebhookEndpoint.objects.exists()


# -- the command and the admin ------------------------------------------------------------


@requires_sandbox
def test_the_command_registers_lists_and_unregisters(sandbox):
    out = io.StringIO()
    slug = sandbox.team.slug

    call_command(
        "willo_webhooks",
        "register",
        "--team",
        slug,
        "--public-url",
        "https://d.example",
        stdout=out,
    )
    call_command("willo_webhooks", "list", "--team", slug, stdout=out)
    call_command("willo_webhooks", "unregister", "--team", slug, stdout=out)

    text = out.getvalue()
    assert "Registered new_comment, new_response, new_score, status_change" in text
    assert text.count("(this dashboard)") == 4
    assert "ours: new_score: no delivery yet" in text
    assert "Unregistered 4 webhook(s)" in text


def test_the_command_names_a_missing_team(db):
    with pytest.raises(CommandError, match="No team"):
        call_command("willo_webhooks", "list", "--team", "nobody")


def test_the_admin_shows_health_and_replays_a_delivery(admin_client, endpoint, job):
    failed = _stored(endpoint, "new_response", participant_body(), state="failed", attempts=5)

    health = admin_client.get(
        reverse("admin:willo_integration_webhookendpoint_change", args=[endpoint.pk])
    )
    replay = admin_client.post(
        reverse("admin:willo_integration_receivedwebhook_changelist"),
        {"action": "replay", "_selected_action": [failed.pk]},
        follow=True,
    )

    assert "new_response: last delivery" in health.content.decode()
    assert "1 failed" in health.content.decode()
    assert "Replayed 1: 1 applied." in replay.content.decode()
    assert CachedParticipant.objects.filter(key="p1").exists()


def test_the_team_action_asks_for_the_public_url_first(admin_client, endpoint, settings):
    settings.WILLO_WEBHOOK_PUBLIC_URL = ""

    response = admin_client.post(
        reverse("admin:dashboard_team_changelist"),
        {"action": "register_webhooks", "_selected_action": [endpoint.team.pk]},
        follow=True,
    )

    assert "Set WILLO_WEBHOOK_PUBLIC_URL" in response.content.decode()


# -- end to end: the sandbox delivers over HTTP to the receiver -----------------------------


@requires_sandbox
@pytest.mark.django_db(transaction=True)
def test_a_sandbox_response_reaches_the_cache_through_the_receiver(live_server, settings):
    from willo_integration.sandbox import knobs, seed, simulate
    from willo_integration.sandbox.models import Organisation
    from willo_integration.sandbox.models import Participant as SandboxParticipant

    settings.WILLO_SANDBOX_BASE_URL = f"{live_server.url}/api/integrations/v2"
    team = make_team("Live Team", seed.seed(participants=20).demo_owner_key)
    webhook_register(scope=Scope(team=team), public_url=live_server.url)
    organisation = Organisation.objects.get(name=seed.DEMO_ORGANISATION, parent=None)
    invited = SandboxParticipant.objects.filter(organisation=organisation, status="Invited").first()

    with knobs.override(webhook_mode="sync"):
        simulate.respond(invited, random.Random(1), base=live_server.url)

    event = ReceivedWebhook.objects.get(team=team, event="new_response")
    assert event.state == "applied"
    row = CachedParticipant.objects.get(team=team, key=invited.key)
    assert (row.status, row.source) == ("Completed", Source.WEBHOOK)
    team.refresh_from_db()
    assert team.last_webhook_at == event.received_at
