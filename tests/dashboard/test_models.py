"""Teams and memberships."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from dashboard.models import Decision, Membership, Team
from willo_integration.schemas import DECISION_STATUSES


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ("production", "https://api.willotalent.com/api/integrations/v2"),
        ("staging", "https://api.stage.willotalent.com/api/integrations/v2"),
        ("sandbox", "http://127.0.0.1:8000/api/integrations/v2"),
    ],
)
def test_it_resolves_the_environment_to_a_base_url(environment, expected):
    assert Team(name="T", environment=environment).base_url == expected


def test_it_uses_the_custom_base_url():
    team = Team(
        name="T",
        environment="custom",
        custom_base_url="https://willo.example.com/api/integrations/v2",
    )

    assert team.base_url == "https://willo.example.com/api/integrations/v2"


def test_it_follows_the_sandbox_setting(settings):
    settings.WILLO_SANDBOX_BASE_URL = "http://127.0.0.1:9000/api/integrations/v2"

    assert (
        Team(name="T", environment="sandbox").base_url
        == "http://127.0.0.1:9000/api/integrations/v2"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://willo.example.com/api",
        "nonsense",
        "https://willo.example.com/api?x=1",
        "javascript:alert(1)",
    ],
)
def test_it_refuses_an_unusable_custom_base_url(db, url):
    team = Team(name="T", slug="t", environment="custom", custom_base_url=url)

    with pytest.raises(ValidationError) as excinfo:
        team.full_clean()

    assert "custom_base_url" in excinfo.value.message_dict


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8001/api", "http://[::1]:8001/api", "http://localhost/api"]
)
def test_it_allows_plain_http_to_loopback(db, url):
    Team(name="T", slug="t", environment="custom", custom_base_url=url).full_clean()


def test_it_makes_a_unique_slug_from_the_name(db):
    first = Team.objects.create(name="Acme Hiring")
    second = Team.objects.create(name="Acme  hiring!")

    assert (first.slug, second.slug) == ("acme-hiring", "acme-hiring-2")


def test_it_allows_one_membership_per_user_and_team(world):
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=world.alice, team=world.team_a, role="viewer")


def test_it_ranks_roles():
    viewer, recruiter, admin = (Membership(role=r) for r in ("viewer", "recruiter", "admin"))

    assert [m.has_role("recruiter") for m in (viewer, recruiter, admin)] == [False, True, True]
    assert [m.has_role("admin") for m in (viewer, recruiter, admin)] == [False, False, True]


def test_it_does_not_show_the_last_four_of_a_short_key():
    team = Team(name="T")
    team.set_api_key("short")

    assert team.api_key_last4 == ""


def test_a_decision_takes_the_statuses_willo_takes_in_a_patch():
    assert tuple(Decision.Status.values) == DECISION_STATUSES
