"""manage.py rotate_encryption_key: every row re-encrypted under the newest key."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dashboard.models import Team


def _raw_keys() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, api_key FROM dashboard_team WHERE api_key <> ''")
        return dict(cursor.fetchall())


def _teams(n: int) -> list[Team]:
    teams = []
    for i in range(n):
        team = Team(name=f"Team {i}")
        team.set_api_key(f"willo-key-number-{i:04d}-abcdef")
        team.save()
        teams.append(team)
    return teams


@pytest.fixture
def old_and_new(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.WILLO_ENCRYPTION_KEYS = [old]
    return old, new


def _rotate(**kwargs) -> str:
    out = StringIO()
    call_command("rotate_encryption_key", stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


def test_it_re_encrypts_every_row_under_the_new_key(db, settings, old_and_new):
    old, new = old_and_new
    teams = _teams(5)
    before = _raw_keys()

    settings.WILLO_ENCRYPTION_KEYS = [new, old]
    _rotate(batch_size=2)
    settings.WILLO_ENCRYPTION_KEYS = [new]

    after = _raw_keys()
    assert set(after) == {t.pk for t in teams}
    for team in teams:
        assert after[team.pk] != before[team.pk]
        reloaded = Team.objects.get(pk=team.pk)
        assert reloaded.api_key_plaintext() == f"willo-key-number-{teams.index(team):04d}-abcdef"


def test_it_prints_what_it_did(db, settings, old_and_new):
    old, new = old_and_new
    _teams(3)
    settings.WILLO_ENCRYPTION_KEYS = [new, old]

    output = _rotate()

    assert "dashboard.Team.api_key: 3 re-encrypted, 0 already under the newest key." in output


def test_it_leaves_values_already_under_the_newest_key(db, settings, old_and_new):
    old, new = old_and_new
    _teams(3)
    settings.WILLO_ENCRYPTION_KEYS = [new, old]
    _rotate()
    after_first = _raw_keys()

    output = _rotate()

    assert "0 re-encrypted, 3 already under the newest key" in output
    assert _raw_keys() == after_first


def test_it_serves_reads_under_both_keys_during_rotation(db, settings, old_and_new):
    old, new = old_and_new
    (old_team,) = _teams(1)
    settings.WILLO_ENCRYPTION_KEYS = [new, old]
    new_team = Team(name="New one")
    new_team.set_api_key("written-after-the-new-key-0000")
    new_team.save()

    assert Team.objects.get(pk=old_team.pk).api_key_plaintext() == "willo-key-number-0000-abcdef"
    assert Team.objects.get(pk=new_team.pk).api_key_plaintext() == "written-after-the-new-key-0000"


def test_it_reports_values_no_key_can_decrypt_and_rotates_the_rest(db, settings, old_and_new):
    old, new = old_and_new
    good, lost = _teams(2)
    settings.WILLO_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    lost.set_api_key("encrypted-under-a-forgotten-key")
    lost.save()
    settings.WILLO_ENCRYPTION_KEYS = [new, old]
    err = StringIO()

    with pytest.raises(CommandError, match="1 value"):
        call_command("rotate_encryption_key", stdout=StringIO(), stderr=err)

    assert f"pk {lost.pk}" in err.getvalue()
    settings.WILLO_ENCRYPTION_KEYS = [new]
    assert Team.objects.get(pk=good.pk).api_key_plaintext() == "willo-key-number-0000-abcdef"


def test_it_skips_teams_without_a_key(db, settings, old_and_new):
    old, new = old_and_new
    Team.objects.create(name="No key yet")
    settings.WILLO_ENCRYPTION_KEYS = [new, old]

    output = _rotate()

    assert "0 re-encrypted, 0 already" in output
