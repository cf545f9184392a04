"""Verifying a team's key with Willo, and setting a new one."""

from __future__ import annotations

import logging

import pytest

from dashboard.models import KeyAuditEntry, Team
from tests.dashboard.conftest import ACME_KEY
from tests.dashboard.willo_fake import AMELIA, JOHN, FakeWillo
from willo_integration.services.team_keys import (
    FORBIDDEN_MESSAGE,
    REJECTED_MESSAGE,
    USER_NOT_IDENTIFIED,
    team_key_set,
    team_key_verify,
)


def _verify(team: Team, fake: FakeWillo, actor=None):
    return team_key_verify(
        team=team, actor=actor, ip_address="203.0.113.9", http_client=fake.client()
    )


def test_it_records_the_willo_user_whose_email_was_entered(world):
    team = world.team_a
    team.willo_user_email = "JOHN.DOE@willo.video"
    fake = FakeWillo(users=[AMELIA, JOHN])

    result = _verify(team, fake)

    team.refresh_from_db()
    assert result.ok
    assert team.is_key_verified
    assert team.key_verified_user_key == JOHN["key"]
    assert team.key_verified_user_name == "John Doe"
    assert "John Doe" in result.message


def test_it_reads_every_page_of_users(world):
    team = world.team_a
    team.willo_user_email = JOHN["email"]
    fake = FakeWillo(users=[AMELIA, JOHN], page_size=1)

    _verify(team, fake)

    team.refresh_from_db()
    assert team.key_verified_user_key == JOHN["key"]
    assert [r.url.params.get("page") for r in fake.requests if r.url.path.endswith("/users/")] == [
        "1",
        "2",
    ]


def test_it_records_the_only_user_when_no_email_was_entered(world):
    result = _verify(world.team_a, FakeWillo(users=[AMELIA]))

    world.team_a.refresh_from_db()
    assert result.ok
    assert world.team_a.key_verified_user_email == AMELIA["email"]


def test_it_says_the_user_is_not_identified_among_several(world):
    result = _verify(world.team_a, FakeWillo(users=[AMELIA, JOHN], page_size=30))

    world.team_a.refresh_from_db()
    assert result.ok
    assert result.message.startswith(USER_NOT_IDENTIFIED)
    assert world.team_a.key_verified_user_key == ""


def test_it_says_when_the_entered_email_is_not_in_the_organisation(world):
    world.team_a.willo_user_email = "nobody@example.com"

    result = _verify(world.team_a, FakeWillo(users=[AMELIA]))

    assert result.ok
    assert "no Willo user with the email nobody@example.com" in result.message


def test_it_sends_the_decrypted_key(world):
    fake = FakeWillo()

    _verify(Team.objects.get(pk=world.team_a.pk), fake)

    assert fake.requests[0].headers["Authorization"] == ACME_KEY


def test_it_marks_a_parent_organisation(world):
    _verify(world.team_a, FakeWillo(children_status=200))

    world.team_a.refresh_from_db()
    assert world.team_a.is_parent


def test_it_marks_a_non_parent_when_children_is_forbidden(world):
    world.team_a.is_parent = True
    world.team_a.save()

    _verify(world.team_a, FakeWillo(children_status=403))

    world.team_a.refresh_from_db()
    assert not world.team_a.is_parent


def test_it_explains_a_401_and_does_not_mark_verified(world):
    result = _verify(world.team_a, FakeWillo(users_status=401))

    world.team_a.refresh_from_db()
    assert not result.ok
    assert result.message == REJECTED_MESSAGE
    assert result.message.startswith("Willo refused this key (401)")
    assert not world.team_a.is_key_verified
    assert world.team_a.key_refused_at is not None


def test_it_forgets_an_earlier_verification_when_the_key_is_rejected(world):
    _verify(world.team_a, FakeWillo())
    assert Team.objects.get(pk=world.team_a.pk).is_key_verified

    _verify(world.team_a, FakeWillo(users_status=401))

    assert not Team.objects.get(pk=world.team_a.pk).is_key_verified


def test_it_explains_a_403(world):
    result = _verify(world.team_a, FakeWillo(users_status=403))

    assert not result.ok
    assert result.message == FORBIDDEN_MESSAGE
    assert "lacks permission" in result.message


def test_it_explains_a_connection_failure(world):
    result = _verify(world.team_a, FakeWillo(connect_error=True))

    assert not result.ok
    assert result.message == "Could not reach Willo; check the environment or base URL."


def test_it_explains_a_willo_failure(world):
    result = _verify(world.team_a, FakeWillo(users_status=502))

    assert not result.ok
    assert "HTTP 502" in result.message


def test_it_never_sends_an_undecryptable_key(world, settings, fernet_key):
    settings.WILLO_ENCRYPTION_KEYS = [fernet_key]
    fake = FakeWillo()

    result = _verify(Team.objects.get(pk=world.team_a.pk), fake)

    assert not result.ok
    assert "cannot be decrypted" in result.message
    assert fake.requests == []


def test_it_says_when_there_is_no_key(db):
    team = Team.objects.create(name="Keyless", environment=Team.Environment.SANDBOX)

    result = _verify(team, FakeWillo())

    assert not result.ok
    assert "no API key" in result.message


def test_it_audits_verification_without_key_material(world):
    _verify(world.team_a, FakeWillo(users_status=401), actor=world.staff)

    entry = KeyAuditEntry.objects.get(team=world.team_a, action=KeyAuditEntry.Action.VERIFY_FAILED)
    assert entry.actor == world.staff
    assert entry.ip_address == "203.0.113.9"
    assert ACME_KEY not in entry.detail
    assert ACME_KEY[-4:] not in entry.detail


@pytest.mark.parametrize("status", [401, 403, 500])
def test_it_does_not_log_the_key_when_verification_fails(world, caplog, status):
    caplog.set_level(logging.DEBUG)

    _verify(Team.objects.get(pk=world.team_a.pk), FakeWillo(users_status=status))

    assert caplog.records
    assert ACME_KEY not in caplog.text
    assert ACME_KEY[-4:] not in caplog.text


def test_it_stores_a_new_key_and_audits_it(world):
    _verify(world.team_a, FakeWillo())

    team_key_set(
        team=world.team_a,
        api_key="  brand-new-willo-key-9999  ",
        actor=world.staff,
        ip_address="198.51.100.7",
        action=KeyAuditEntry.Action.ROTATED,
    )

    team = Team.objects.get(pk=world.team_a.pk)
    assert team.api_key_plaintext() == "brand-new-willo-key-9999"
    assert team.api_key_last4 == "9999"
    assert not team.is_key_verified
    entry = KeyAuditEntry.objects.get(team=team, action=KeyAuditEntry.Action.ROTATED)
    assert (entry.actor_username, entry.ip_address) == ("staff", "198.51.100.7")
    assert "brand-new" not in entry.detail


def test_it_refuses_an_empty_key(world):
    with pytest.raises(ValueError, match="empty"):
        team_key_set(team=world.team_a, api_key="   ", actor=None, ip_address=None)
