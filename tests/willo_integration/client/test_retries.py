import email.utils

import httpx
import pytest

from willo_integration.client import (
    APITimeoutError,
    InternalServerError,
    RateLimitError,
    RequestOutcomeUnknownError,
    RetryPolicy,
)

PARTICIPANT = {
    "key": "d7964979cd364d59b3d6c457712d8857",
    "name": "Rosa Parks",
    "status": "Accepted",
}


def test_it_waits_the_retry_after_seconds_then_retries_once(client, willo, clock):
    willo.script = [
        httpx.Response(429, headers={"Retry-After": "2"}, json={"detail": "Throttled"}),
        httpx.Response(200, json=PARTICIPANT),
    ]
    participant = client.participants.retrieve(PARTICIPANT["key"])
    assert participant.name == "Rosa Parks"
    assert clock.sleeps == [2.0]
    assert len(willo.requests) == 2


def test_it_honours_a_retry_after_http_date(client, willo, clock):
    when = email.utils.formatdate(clock.now().timestamp() + 5, usegmt=True)
    willo.script = [
        httpx.Response(429, headers={"Retry-After": when}),
        httpx.Response(200, json=PARTICIPANT),
    ]
    client.participants.retrieve(PARTICIPANT["key"])
    assert clock.sleeps == [5.0]


def test_a_retry_after_date_in_the_past_falls_back_to_backoff(client, willo, clock):
    past = email.utils.formatdate(clock.now().timestamp() - 3600, usegmt=True)
    willo.script = [
        httpx.Response(429, headers={"Retry-After": past}),
        httpx.Response(200, json=PARTICIPANT),
    ]
    client.participants.retrieve(PARTICIPANT["key"])
    # First backoff step: initial 0.5 s plus up to 0.5 s of jitter.
    assert len(clock.sleeps) == 1
    assert 0.5 <= clock.sleeps[0] <= 1.0


def test_it_stops_after_the_attempt_cap(client, willo, clock):
    willo.script = [httpx.Response(503, json={"detail": "down"})]
    with pytest.raises(InternalServerError) as excinfo:
        client.participants.retrieve(PARTICIPANT["key"])
    assert len(willo.requests) == 3  # one try and max_retries=2
    assert len(clock.sleeps) == 2
    assert excinfo.value.status_code == 503


def test_backoff_grows_exponentially(make_client, willo, clock):
    client = make_client(
        retry_policy=RetryPolicy(max_retries=4, jitter=0, sleep=clock.sleep, now=clock.now)
    )
    willo.script = [httpx.Response(502)]
    with pytest.raises(InternalServerError):
        client.interviews.retrieve("1e2048a686804049b128f1357c559cbf")
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0]


def test_a_wait_beyond_the_total_cap_raises_at_once_for_a_task_to_retry_later(client, willo, clock):
    willo.script = [httpx.Response(429, headers={"Retry-After": "120"})]
    with pytest.raises(RateLimitError) as excinfo:
        client.participants.retrieve(PARTICIPANT["key"])
    assert excinfo.value.retry_after == 120
    assert clock.sleeps == []
    assert len(willo.requests) == 1


def test_get_is_retried_after_a_read_timeout(client, willo, clock):
    willo.script = [httpx.ReadTimeout("slow"), httpx.Response(200, json=PARTICIPANT)]
    assert client.participants.retrieve(PARTICIPANT["key"]).key == PARTICIPANT["key"]
    assert len(willo.requests) == 2


def test_get_gives_up_with_a_timeout_error(client, willo):
    willo.script = [httpx.ReadTimeout("slow")]
    with pytest.raises(APITimeoutError):
        client.participants.retrieve(PARTICIPANT["key"])
    assert len(willo.requests) == 3


def test_post_is_not_resent_after_a_server_error(client, willo):
    willo.script = [httpx.Response(500), httpx.Response(201, json=PARTICIPANT)]
    with pytest.raises(InternalServerError):
        client.participants.invite(
            interview="12f46389d89b410ba75cff562a52b679", email="rosa@example.com", name="Rosa"
        )
    assert len(willo.requests) == 1


def test_post_is_not_resent_after_a_read_timeout(client, willo):
    willo.script = [httpx.ReadTimeout("slow"), httpx.Response(201, json=PARTICIPANT)]
    with pytest.raises(RequestOutcomeUnknownError):
        client.participants.invite(
            interview="12f46389d89b410ba75cff562a52b679", email="rosa@example.com", name="Rosa"
        )
    assert len(willo.requests) == 1


def test_post_is_not_resent_after_a_429(client, willo, clock):
    willo.script = [httpx.Response(429, headers={"Retry-After": "1"})]
    with pytest.raises(RateLimitError):
        client.children.create(
            customer_full_name="John Doe", customer_email="john@doe.com", organisation_name="JD"
        )
    assert len(willo.requests) == 1


def test_post_is_resent_when_the_connection_was_refused(client, willo):
    willo.script = [httpx.ConnectError("refused"), httpx.Response(201, json=PARTICIPANT)]
    client.participants.invite(
        interview="12f46389d89b410ba75cff562a52b679", email="rosa@example.com", name="Rosa"
    )
    assert len(willo.requests) == 2


def test_patch_is_not_resent_after_a_read_timeout(client, willo):
    willo.script = [httpx.ReadTimeout("slow"), httpx.Response(200, json=PARTICIPANT)]
    with pytest.raises(RequestOutcomeUnknownError) as excinfo:
        client.participants.partial_update(PARTICIPANT["key"], status="Accepted")
    assert "re-read" in str(excinfo.value)
    assert len(willo.requests) == 1


def test_patch_is_not_resent_after_a_server_error(client, willo):
    willo.script = [httpx.Response(502), httpx.Response(200, json=PARTICIPANT)]
    with pytest.raises(InternalServerError):
        client.participants.partial_update(PARTICIPANT["key"], status="Accepted")
    assert len(willo.requests) == 1


def test_patch_is_retried_on_429(client, willo, clock):
    willo.script = [
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.Response(200, json=PARTICIPANT),
    ]
    client.participants.partial_update(PARTICIPANT["key"], status="Accepted")
    assert clock.sleeps == [1.0]
    assert len(willo.requests) == 2


def test_delete_is_retried_when_the_connection_was_refused(client, willo):
    willo.script = [httpx.ConnectTimeout("no route"), httpx.Response(204)]
    assert client.participants.delete(PARTICIPANT["key"]) is None
    assert len(willo.requests) == 2


def test_retries_can_be_switched_off_per_call(client, willo, clock):
    willo.script = [httpx.Response(429, headers={"Retry-After": "2"})]
    with pytest.raises(RateLimitError) as excinfo:
        client.participants.partial_update(PARTICIPANT["key"], status="Rejected", retry=False)
    assert excinfo.value.retry_after == 2
    assert clock.sleeps == []
    assert len(willo.requests) == 1
