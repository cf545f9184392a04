"""Teams, cache rows and two kinds of Willo: the seeded sandbox over WSGI, or a scripted fake."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.utils import timezone

from dashboard.models import Team
from willo_integration.models import (
    CachedInterview,
    CachedParticipant,
    WebhookEndpoint,
    WebhookSubscription,
)
from willo_integration.sandbox import knobs, seed
from willo_integration.sandbox.in_process import in_process_http_client
from willo_integration.sandbox.models import Organisation, Role
from willo_integration.services import clients
from willo_integration.services.scope import Scope
from willo_integration.services.webhooks.registration import token_digest

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def _willo_settings(settings) -> None:
    cache.clear()  # refresh progress lives in the cache
    settings.WILLO_REQUESTS_PER_SECOND = 10_000.0
    settings.WILLO_CACHE_TTL_SECONDS = 300


def make_team(name: str, api_key: str) -> Team:
    # Its agency status known (as after verification): no detection on first use.
    team = Team(name=name, environment=Team.Environment.SANDBOX, agency_checked_at=timezone.now())
    team.set_api_key(api_key)
    team.save()
    return team


@pytest.fixture
def team(db) -> Team:
    return make_team("Acme Hiring", "acme-test-willo-key-00000000001")


@pytest.fixture
def other_team(db) -> Team:
    return make_team("Bravo Talent", "bravo-test-willo-key-0000000002")


@pytest.fixture
def scope(team) -> Scope:
    return Scope(team=team)


def cached_interview(scope: Scope, key: str = "", **fields: Any) -> CachedInterview:
    values = {"title": "Barista", "fetched_at": timezone.now(), "created_at": T0}
    values.update(fields)
    return CachedInterview.objects.create(
        team=scope.team, scope=scope.key, key=key or f"int{next(_keys):06d}", **values
    )


def cached_participant(
    scope: Scope, interview: CachedInterview, key: str = "", **fields: Any
) -> CachedParticipant:
    n = next(_keys)
    values = {
        "name": f"Candidate {n}",
        "email": f"candidate{n}@example.com",
        "status": "Completed",
        "created_at": T0 + timedelta(minutes=n),
        "fetched_at": timezone.now(),
        "detail_fetched_at": timezone.now(),
        "detail": {"key": key or f"par{n:06d}"},
    }
    values.update(fields)
    return CachedParticipant.objects.create(
        team=scope.team,
        scope=scope.key,
        interview=interview,
        interview_key=interview.key,
        key=key or f"par{n:06d}",
        **values,
    )


@dataclass
class FakeWillo:
    """Scripted answers by (method, path prefix); each route's last step repeats."""

    routes: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def on(self, method: str, path: str, *steps: Any) -> None:
        self.routes[(method, path)] = list(steps)

    def calls(self, method: str, path: str = "") -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and path in r.url.path]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.split("/api/integrations/v2/", 1)[-1]
        for (method, prefix), steps in self.routes.items():
            if method == request.method and path.startswith(prefix):
                step = steps.pop(0) if len(steps) > 1 else steps[0]
                if isinstance(step, Exception):
                    raise step
                if callable(step) and not isinstance(step, httpx.Response):
                    return step(request)
                return step
        return httpx.Response(404, json={"detail": "Not found."})


def reply(status: int, body: Any = None, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


@pytest.fixture
def fake_willo(monkeypatch) -> FakeWillo:
    fake = FakeWillo()
    monkeypatch.setattr(clients, "transport", httpx.MockTransport(fake))
    return fake


@dataclass
class Sandbox:
    team: Team
    scope: Scope
    organisation: Organisation


class _SandboxTransport(httpx.WSGITransport):
    """The sandbox in-process; a request served on a worker thread closes that thread's
    database connection afterwards (PostgreSQL cannot drop a test database still in use)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()


def _sandbox(monkeypatch) -> Iterator[Sandbox]:
    seed.seed(participants=30)
    organisation = Organisation.objects.get(name=seed.DEMO_ORGANISATION, parent=None)
    owner_key = organisation.users.filter(role=Role.OWNER).order_by("id").first().api_keys.first()
    team = make_team("Sandbox Team", owner_key.key)
    with (
        knobs.override(latency_ms=0, rate_limit=None, error_rate=0, webhook_mode="sync"),
        in_process_http_client(),
    ):
        monkeypatch.setattr(clients, "transport", _SandboxTransport(app=get_wsgi_application()))
        yield Sandbox(team=team, scope=Scope(team=team), organisation=organisation)


@pytest.fixture
def sandbox(db, monkeypatch) -> Iterator[Sandbox]:
    """The seeded sandbox, served on this thread (no concurrent detail requests)."""
    yield from _sandbox(monkeypatch)


@pytest.fixture
def threaded_sandbox(transactional_db, monkeypatch) -> Iterator[Sandbox]:
    """The seeded sandbox for code that requests from worker threads (their own connections
    only see committed data)."""
    yield from _sandbox(monkeypatch)


requires_sandbox = pytest.mark.skipif(
    not settings.WILLO_SANDBOX_ENABLED, reason="the sandbox URLs are not mounted"
)


# -- webhooks: an endpoint of the scope with a subscription per event ------------------

TOKENS = {
    "new_response": "token-new-response",
    "status_change": "token-status-change",
    "new_comment": "token-new-comment",
    "new_score": "token-new-score",
}


@pytest.fixture
def endpoint(scope) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.create(
        team=scope.team, scope=scope.key, public_url="https://dash.example/webhooks/willo/x/"
    )
    for event, token in TOKENS.items():
        WebhookSubscription.objects.create(
            endpoint=endpoint,
            event=event,
            willo_key=f"wh-{event}",
            token_digest=token_digest(token),
        )
    return endpoint
