"""GDPR erasure of one candidate everywhere, and retention of cached answers."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from dashboard.models import Decision, Membership, Mention, Note
from willo_integration.models import CachedParticipant, ReceivedWebhook
from willo_integration.services.data_protection import candidate_erase, retention_apply
from willo_integration.services.notes import note_add
from willo_integration.services.scope import Scope

from .conftest import cached_interview, cached_participant


def _delivery(scope, key: str, body: dict, **fields) -> ReceivedWebhook:
    return ReceivedWebhook.objects.create(
        team=scope.team, scope=scope.key, event="new_response",
        dedupe_key=f"d:{key}:{ReceivedWebhook.objects.count()}", participant_key=key,
        body=json.dumps(body), **fields,
    )  # fmt: skip


@pytest.fixture
def ada(scope, other_team):
    """Ada applied to this team (as p1), to one of its agency clients (c1) and to another
    team (p9); Bob applied here too."""
    child = Scope(team=scope.team, child_key="c" * 32)
    theirs = Scope(team=other_team)
    rows = [
        cached_participant(scope, cached_interview(scope), key="p1", email="ada@example.com"),
        cached_participant(child, cached_interview(child), key="c1", email="ADA@example.com"),
        cached_participant(theirs, cached_interview(theirs), key="p9", email="ada@example.com"),
    ]
    bob = cached_participant(scope, rows[0].interview, key="p2", email="bob@example.com")
    _delivery(scope, "p1", {"key": "p1", "email": "ada@example.com"})
    _delivery(scope, "", {"id": "evt_1", "data": {"participant": {"email": "ada@example.com"}}})
    _delivery(scope, "p2", {"key": "p2", "email": "bob@example.com"})
    Decision.objects.create(
        team=scope.team, participant_key="p1", participant_name="Ada Lovelace", status="Accepted"
    )
    return rows, bob


def test_erasure_by_email_reaches_every_team_scope_and_stored_delivery(ada):
    _rows, bob = ada

    erased = candidate_erase(email="Ada@Example.com")

    assert erased.participants == 3
    assert not CachedParticipant.objects.filter(email__iexact="ada@example.com").exists()
    assert CachedParticipant.objects.filter(pk=bob.pk).exists()
    assert list(ReceivedWebhook.objects.values_list("participant_key", flat=True)) == ["p2"]
    assert erased.webhooks == 2
    decision = Decision.objects.get(participant_key="p1")
    assert (decision.participant_name, decision.status) == ("", "Accepted")


def test_erasure_removes_the_notes_on_them_with_their_mentions(ada, scope, django_user_model):
    _rows, bob = ada
    rita = django_user_model.objects.create_user("rita", password="pw-123456789")
    alice = django_user_model.objects.create_user("alice", password="pw-123456789")
    for member in (rita, alice):
        Membership.objects.create(user=member, team=scope.team)
    note_add(scope=scope, participant_key="p1", author=rita, text="@alice Ada is strong")
    child = Scope(team=scope.team, child_key="c" * 32)
    note_add(scope=child, participant_key="c1", author=rita, text="Ada again, @alice")
    kept = note_add(scope=scope, participant_key=bob.key, author=rita, text="@alice Bob too")

    erased = candidate_erase(email="ada@example.com")

    assert (erased.notes, erased.mentions) == (2, 2)
    assert list(Note.objects.all()) == [kept]
    assert [m.note for m in Mention.objects.all()] == [kept]


def test_retention_leaves_the_teams_notes(ada, scope, django_user_model):
    rita = django_user_model.objects.create_user("rita", password="pw-123456789")
    Membership.objects.create(user=rita, team=scope.team)
    note = note_add(scope=scope, participant_key="p1", author=rita, text="keep this")
    CachedParticipant.objects.update(detail_fetched_at=timezone.now() - timedelta(days=40))

    retention_apply(days=30)

    assert list(Note.objects.all()) == [note]


def test_erasure_can_be_limited_to_a_team(ada, other_team):
    candidate_erase(email="ada@example.com", team=other_team)

    assert CachedParticipant.objects.filter(email__iexact="ada@example.com").count() == 2


def test_erasure_needs_a_candidate(db):
    with pytest.raises(ValueError, match="Name the candidate"):
        candidate_erase()


def test_the_command_erases_by_key_and_says_what_it_did(ada):
    out = io.StringIO()

    call_command("erase_candidate", "--key", "p2", stdout=out)

    assert "Erased 1 cached candidate row(s)" in out.getvalue()
    assert "0 note(s), 0 mention(s), 0 share link record(s) and 0 email record(s)" in out.getvalue()
    assert "Erase the candidate in Willo too" in out.getvalue()
    assert not CachedParticipant.objects.filter(key="p2").exists()
    with pytest.raises(CommandError, match="--email and/or --key"):
        call_command("erase_candidate")


def test_the_admin_action_erases_the_chosen_candidates(ada, client, django_user_model):
    rows, _bob = ada
    staff = django_user_model.objects.create_superuser("staff", "s@example.com", "pw-123456789")
    client.force_login(staff)

    response = client.post(
        reverse("admin:willo_integration_cachedparticipant_changelist"),
        {"action": "erase", "_selected_action": [rows[0].pk]},
        follow=True,
    )

    assert "Erased 3 cached candidate row(s)" in response.content.decode()
    assert not CachedParticipant.objects.filter(email__iexact="ada@example.com").exists()


def test_retention_drops_old_details_and_handled_deliveries(scope):
    job = cached_interview(scope)
    old = cached_participant(scope, job, key="old", detail={"answers": [{"transcript": "x"}]})
    fresh = cached_participant(scope, job, key="fresh", detail={"answers": []})
    long_ago = timezone.now() - timedelta(days=40)
    CachedParticipant.objects.filter(pk=old.pk).update(detail_fetched_at=long_ago)
    handled = _delivery(scope, "old", {"key": "old"}, state="applied")
    waiting = _delivery(scope, "old", {"key": "old"})
    ReceivedWebhook.objects.filter(pk__in=[handled.pk, waiting.pk]).update(received_at=long_ago)

    expiry = retention_apply(days=30)

    old.refresh_from_db()
    assert (old.detail, old.detail_fetched_at, old.name) == (None, None, old.name)
    assert CachedParticipant.objects.get(pk=fresh.pk).detail == {"answers": []}
    assert list(ReceivedWebhook.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert (expiry.details, expiry.webhooks) == (1, 1)


def test_no_retention_period_keeps_everything(scope):
    job = cached_interview(scope)
    row = cached_participant(scope, job, detail={"answers": []})
    CachedParticipant.objects.filter(pk=row.pk).update(
        detail_fetched_at=timezone.now() - timedelta(days=4000)
    )

    assert retention_apply(days=0).details == 0
    assert CachedParticipant.objects.get(pk=row.pk).detail == {"answers": []}
