"""A Willo client wired to an in-process fake Willo (httpx.MockTransport) and a fake clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from willo_integration.client import RetryPolicy, WilloClient

API_KEY = "sk-live-0123456789abcdef-SECRET"
BASE_URL = "https://api.willotalent.com/api/integrations/v2"


@dataclass
class FakeClock:
    """Sleeping advances time instantly; tests read what was slept."""

    current: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.current += timedelta(seconds=seconds)

    def now(self) -> datetime:
        return self.current


@dataclass
class FakeWillo:
    """Answers each request with the next scripted response (or exception)."""

    script: list[httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]] = field(
        default_factory=list
    )
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        if callable(step) and not isinstance(step, httpx.Response):
            return step(request)
        return step


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def willo() -> FakeWillo:
    return FakeWillo()


@pytest.fixture
def make_client(willo: FakeWillo, clock: FakeClock):
    clients: list[WilloClient] = []

    def make(**options) -> WilloClient:
        options.setdefault("base_url", BASE_URL)
        options.setdefault("api_key", API_KEY)
        options.setdefault("requests_per_second", None)
        options.setdefault(
            "retry_policy", RetryPolicy(max_retries=2, sleep=clock.sleep, now=clock.now)
        )
        options.setdefault("http_client", httpx.Client(transport=httpx.MockTransport(willo)))
        client = WilloClient(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client) -> WilloClient:
    return make_client()


def page(results: list[dict], *, count: int, next_page: int | None = None) -> httpx.Response:
    next_url = f"{BASE_URL}/participants/?page={next_page}" if next_page else None
    return httpx.Response(
        200, json={"count": count, "next": next_url, "previous": None, "results": results}
    )
