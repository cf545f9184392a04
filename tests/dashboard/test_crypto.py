"""API keys at rest: encrypted, decryptable only with the configured keys, never shown."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection

from dashboard import crypto
from dashboard.crypto import KeyDecryptionError
from dashboard.models import Team
from tests.dashboard.conftest import ACME_KEY


def _raw_api_key(team: Team) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM dashboard_team WHERE id = %s", [team.pk])
        return cursor.fetchone()[0]


def test_it_stores_no_plaintext_in_the_api_key_column(world):
    raw = _raw_api_key(world.team_a)

    assert raw
    assert ACME_KEY not in raw
    assert ACME_KEY[-12:] not in raw


def test_it_stores_a_fernet_token_under_the_configured_key(world, settings):
    raw = _raw_api_key(world.team_a)

    assert Fernet(settings.WILLO_ENCRYPTION_KEYS[0]).decrypt(raw.encode()).decode() == ACME_KEY


def test_it_decrypts_the_stored_key(world):
    team = Team.objects.get(pk=world.team_a.pk)

    assert team.api_key_plaintext() == ACME_KEY


def test_it_keeps_the_last_four_characters_apart(world):
    team = Team.objects.get(pk=world.team_a.pk)

    assert team.api_key_last4 == ACME_KEY[-4:]


def test_it_fails_closed_when_no_configured_key_decrypts(world, settings, fernet_key):
    settings.WILLO_ENCRYPTION_KEYS = [fernet_key]
    team = Team.objects.get(pk=world.team_a.pk)

    with pytest.raises(KeyDecryptionError) as excinfo:
        team.api_key_plaintext()

    message = str(excinfo.value)
    assert "Acme Hiring" in message
    assert "api_key" in message
    assert _raw_api_key(world.team_a) not in message
    assert fernet_key not in message


def test_it_does_not_chain_the_cryptography_error(world, settings, fernet_key):
    settings.WILLO_ENCRYPTION_KEYS = [fernet_key]
    team = Team.objects.get(pk=world.team_a.pk)

    with pytest.raises(KeyDecryptionError) as excinfo:
        team.api_key_plaintext()

    assert excinfo.value.__cause__ is None
    assert excinfo.value.__suppress_context__


def test_it_loads_and_lists_teams_without_decrypting(world, settings, fernet_key):
    settings.WILLO_ENCRYPTION_KEYS = [fernet_key]

    endings = {t.name: t.api_key_last4 for t in Team.objects.all()}

    assert endings["Acme Hiring"] == ACME_KEY[-4:]


def test_it_never_shows_the_key_in_repr_or_str(world):
    team = Team.objects.get(pk=world.team_a.pk)
    raw = _raw_api_key(team)

    for text in (repr(team), str(team), repr(team.api_key), str(team.api_key), f"{team.api_key}"):
        assert ACME_KEY not in text
        assert raw not in text


def test_it_does_not_re_encrypt_an_unchanged_key_on_save(world):
    before = _raw_api_key(world.team_a)
    team = Team.objects.get(pk=world.team_a.pk)
    team.name = "Acme Hiring Ltd"
    team.save()

    assert _raw_api_key(team) == before


def test_it_rejects_an_invalid_configured_key_without_echoing_it(settings):
    settings.WILLO_ENCRYPTION_KEYS = ["not-a-fernet-key-secret-value"]

    with pytest.raises(ImproperlyConfigured) as excinfo:
        crypto.encrypt("x")

    assert "WILLO_ENCRYPTION_KEYS entry 1" in str(excinfo.value)
    assert "not-a-fernet-key-secret-value" not in str(excinfo.value)


def test_it_fails_the_system_check_with_an_invalid_key(settings):
    settings.WILLO_ENCRYPTION_KEYS = ["not-a-fernet-key"]

    with pytest.raises(SystemCheckError, match=r"dashboard\.E001"):
        call_command("check")


def test_it_pickles_a_secret_as_ciphertext_only(world):
    import pickle

    team = Team(name="Unsaved")
    team.set_api_key("plain-key-never-pickled-1234")

    data = pickle.dumps(team)

    assert b"plain-key-never-pickled" not in data
    assert pickle.loads(data).api_key_plaintext() == "plain-key-never-pickled-1234"
