"""A team's client: whether it retries is the client's option, not each call's."""

from __future__ import annotations

import pytest

from tests.willo_integration.services.conftest import FakeWillo, reply
from willo_integration.client import RateLimitError

PARTICIPANT = {"key": "p1", "name": "Ada", "status": "Completed"}
THROTTLED = reply(429, {"detail": "slow down"}, **{"Retry-After": "0"})


def test_it_sends_each_call_once_from_a_scope_client_that_does_not_retry(fake_willo, scope):
    fake_willo.on("GET", "participants/p1/", THROTTLED, reply(200, PARTICIPANT))

    with scope.client(retry=False) as willo, pytest.raises(RateLimitError):
        willo.participants.retrieve("p1")

    assert len(fake_willo.calls("GET", "participants/p1/")) == 1


def test_it_retries_a_throttled_read_from_a_client_that_retries(
    fake_willo: FakeWillo, scope
) -> None:
    fake_willo.on("GET", "participants/p1/", THROTTLED, reply(200, PARTICIPANT))

    with scope.client(retry=True) as willo:
        participant = willo.participants.retrieve("p1")

    assert participant.name == "Ada"
    assert len(fake_willo.calls("GET", "participants/p1/")) == 2


def test_a_call_may_still_refuse_to_retry_on_a_client_that_retries(fake_willo, scope) -> None:
    fake_willo.on("GET", "participants/p1/", THROTTLED, reply(200, PARTICIPANT))

    with scope.client(retry=True) as willo, pytest.raises(RateLimitError):
        willo.participants.retrieve("p1", retry=False)

    assert len(fake_willo.calls("GET", "participants/p1/")) == 1
