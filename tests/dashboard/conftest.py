"""Shared users and teams: team A (Acme) and team B (Bravo), each with its own key."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.utils import timezone

from dashboard.models import Membership, Team
from willo_integration.services import clients

ACME_KEY = "acme-willo-api-key-0000000000000000000a1b2"
BRAVO_KEY = "bravo-willo-api-key-111111111111111111c3d4"


@dataclass
class World:
    team_a: Team
    team_b: Team
    alice: object  # team A admin
    victor: object  # team A viewer
    rita: object  # team A recruiter
    bob: object  # team B admin
    multi: object  # recruiter in both teams
    staff: object  # superuser for the admin site


def _user(username: str, **extra):
    return get_user_model().objects.create_user(
        username=username,
        password=f"{username}-password-123",
        email=f"{username}@example.com",
        **extra,
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Shared reads of Willo and members' read counts live in the cache: none carries over."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> World:
    # Both teams' agency status is known (as after verification): no detection on first use.
    checked = timezone.now()
    team_a = Team(
        name="Acme Hiring", environment=Team.Environment.SANDBOX, agency_checked_at=checked
    )
    team_a.set_api_key(ACME_KEY)
    team_a.save()
    team_b = Team(
        name="Bravo Talent", environment=Team.Environment.SANDBOX, agency_checked_at=checked
    )
    team_b.set_api_key(BRAVO_KEY)
    team_b.save()
    alice, victor, rita = (
        _user("alice", first_name="Alice", last_name="Adams"),
        _user("victor"),
        _user("rita"),
    )
    bob, multi = _user("bob"), _user("multi")
    staff = get_user_model().objects.create_superuser(
        username="staff", password="staff-password-123", email="staff@example.com"
    )
    Membership.objects.create(user=alice, team=team_a, role=Membership.Role.ADMIN)
    Membership.objects.create(user=victor, team=team_a, role=Membership.Role.VIEWER)
    Membership.objects.create(user=rita, team=team_a, role=Membership.Role.RECRUITER)
    Membership.objects.create(user=bob, team=team_b, role=Membership.Role.ADMIN)
    Membership.objects.create(user=multi, team=team_a, role=Membership.Role.RECRUITER)
    Membership.objects.create(user=multi, team=team_b, role=Membership.Role.RECRUITER)
    return World(team_a, team_b, alice, victor, rita, bob, multi, staff)


@pytest.fixture
def fernet_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def willo_transport(monkeypatch):
    """Route every team client to a fake Willo: ``willo_transport(handler)``."""

    def install(handler):
        import httpx

        monkeypatch.setattr(clients, "transport", httpx.MockTransport(handler))

    return install
