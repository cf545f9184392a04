"""Shared fixtures: seeded sandbox data, its keys, and a Django test client speaking to it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from willo_integration.sandbox import knobs, seed
from willo_integration.sandbox.models import Organisation, Role, UserRelation

API = "/api/integrations/v2"


class Keys:
    """The seeded keys by role, read from the database rather than from labels."""

    def __init__(self) -> None:
        parent = Organisation.objects.get(name=seed.DEMO_ORGANISATION, parent=None)
        other = Organisation.objects.get(name=seed.OTHER_ORGANISATION, parent=None)
        self.parent = parent
        self.other = other

        def key_of(org: Organisation, role: str) -> str:
            return org.users.filter(role=role).order_by("id").first().api_keys.first().key

        self.owner = key_of(parent, Role.OWNER)
        self.admin = key_of(parent, Role.ADMIN)
        self.standard = key_of(parent, Role.STANDARD)
        self.other_owner = key_of(other, Role.OWNER)
        children = list(parent.children.order_by("id"))
        self.children = children
        self.agency_admin = {
            c.name: UserRelation.objects.get(organisation=c, role=Role.ADMIN).key for c in children
        }
        other_child = other.children.get()
        self.other_child_agency = UserRelation.objects.get(
            organisation=other_child, role=Role.ADMIN
        ).key


@pytest.fixture
def seeded(db: None) -> Keys:
    seed.seed(participants=60)
    return Keys()


@pytest.fixture(autouse=True)
def _quiet_knobs() -> Iterator[None]:
    """Every test starts with no latency, no limit, no errors and inline webhook delivery."""
    with knobs.override(
        latency_ms=0,
        rate_limit=None,
        error_rate=0,
        webhook_mode="sync",
        webhook_max_attempts=3,
        webhook_backoff_base_s=0.01,
        webhook_timeout_s=2.0,
    ):
        yield


class Api:
    """A Django test client that sends the Authorization header and JSON bodies."""

    def __init__(self, key: str | None, agency: str | None = None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if key is not None:
            self.headers["authorization"] = key
        if agency:
            self.headers["x-agency-user-key"] = agency

    def call(self, method: str, path: str, body: Any = None, **params: Any):
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        elif params:
            kwargs["data"] = params
        return getattr(self.client, method.lower())(f"{API}{path}", **kwargs)

    def get(self, path: str, **params: Any):
        return self.call("GET", path, **params)


@pytest.fixture
def api(seeded: Keys):
    return lambda key=seeded.owner, agency=None: Api(key, agency)
