"""manage.py add_team NAME --base-url URL --api-key-stdin [--member ...] [--role] [--verify]."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dashboard.models import KeyAuditEntry, Membership, Team
from tests.dashboard.willo_fake import FakeWillo

PRODUCTION = "https://api.willotalent.com/api/integrations/v2"


def _add_team(*args, stdin: str = "", **options) -> list[str]:
    out = StringIO()
    call_command("add_team", *args, stdin=StringIO(stdin), stdout=out, stderr=StringIO(), **options)
    return out.getvalue().splitlines()


def test_it_creates_a_team_and_prints_its_slug_last(db):
    lines = _add_team(
        "Delta Recruiting",
        "--base-url",
        PRODUCTION,
        "--api-key-stdin",
        stdin="delta-key-000011112222\n",
    )

    team = Team.objects.get(name="Delta Recruiting")
    assert lines[-1] == "delta-recruiting" == team.slug
    assert team.environment == Team.Environment.PRODUCTION
    assert team.api_key_plaintext() == "delta-key-000011112222"


def test_it_never_prints_the_key(db):
    lines = _add_team(
        "Delta", "--base-url", PRODUCTION, "--api-key-stdin", stdin="delta-key-000011112222"
    )

    assert "delta-key-000011112222" not in "\n".join(lines)
    assert "…2222" in "\n".join(lines)


def test_it_does_not_take_the_key_as_an_argument(db):
    with pytest.raises(CommandError):
        call_command("add_team", "Delta", "--base-url", PRODUCTION, "--api-key", "k")


@pytest.mark.parametrize(
    ("url", "environment"),
    [
        ("https://api.stage.willotalent.com/api/integrations/v2/", Team.Environment.STAGING),
        ("http://127.0.0.1:8000/api/integrations/v2", Team.Environment.SANDBOX),
        ("https://willo.example.com/api/integrations/v2", Team.Environment.CUSTOM),
    ],
)
def test_it_maps_the_base_url_to_an_environment(db, url, environment):
    _add_team("Echo", "--base-url", url)

    assert Team.objects.get(name="Echo").environment == environment


@pytest.mark.parametrize(
    ("url", "message"),
    [("not-a-url", "Enter a valid URL"), ("http://willo.example.com/api", "Use https://")],
)
def test_it_refuses_a_bad_base_url(db, url, message):
    with pytest.raises(CommandError, match=message):
        _add_team("Echo", "--base-url", url)

    assert not Team.objects.filter(name="Echo").exists()


def test_it_updates_an_existing_team(world):
    lines = _add_team(
        "Acme Hiring",
        "--base-url",
        "https://willo.example.com/api/integrations/v2",
        "--api-key-stdin",
        stdin="acme-second-key-00009999",
    )

    team = Team.objects.get(pk=world.team_a.pk)
    assert lines[-1] == team.slug
    assert lines[0].startswith("Updated team Acme Hiring")
    assert team.custom_base_url == "https://willo.example.com/api/integrations/v2"
    assert team.api_key_plaintext() == "acme-second-key-00009999"
    assert KeyAuditEntry.objects.get(team=team).action == KeyAuditEntry.Action.REPLACED


def test_it_adds_members_with_a_role(world):
    _add_team(
        "Foxtrot",
        "--base-url",
        PRODUCTION,
        "--member",
        "alice",
        "--member",
        "bob",
        "--role",
        "viewer",
    )

    team = Team.objects.get(name="Foxtrot")
    assert sorted(team.memberships.values_list("user__username", "role")) == [
        ("alice", "viewer"),
        ("bob", "viewer"),
    ]


def test_it_refuses_an_unknown_member_and_changes_nothing(world):
    with pytest.raises(CommandError, match="there is no user 'nobody'"):
        _add_team("Golf", "--base-url", PRODUCTION, "--member", "alice", "--member", "nobody")

    assert not Team.objects.filter(name="Golf").exists()
    assert not Membership.objects.filter(team__name="Golf").exists()


def test_it_refuses_empty_standard_input(db):
    with pytest.raises(CommandError, match="standard input is empty"):
        _add_team("Hotel", "--base-url", PRODUCTION, "--api-key-stdin", stdin="  \n")


def test_it_verifies_the_key_when_asked(db, willo_transport):
    willo_transport(FakeWillo())

    lines = _add_team(
        "India",
        "--base-url",
        "http://127.0.0.1:8000/api/integrations/v2",
        "--api-key-stdin",
        "--verify",
        stdin="india-key-123456789",
    )

    assert "Key accepted; it belongs to the Willo user Amelia Mary Earhart" in lines[-2]
    assert lines[-1] == "india"
    assert Team.objects.get(slug="india").is_key_verified


def test_it_fails_after_printing_the_slug_when_willo_rejects_the_key(db, willo_transport):
    willo_transport(FakeWillo(users_status=401))
    out = StringIO()

    with pytest.raises(CommandError, match=r"Willo refused this key \(401\)"):
        call_command(
            "add_team",
            "Juliet",
            "--base-url",
            PRODUCTION,
            "--api-key-stdin",
            "--verify",
            stdin=StringIO("juliet-key-123456789"),
            stdout=out,
        )

    assert out.getvalue().splitlines()[-1] == "juliet"
    assert not Team.objects.get(slug="juliet").is_key_verified
