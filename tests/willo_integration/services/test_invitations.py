"""Inviting a candidate through the sandbox, with Willo's own field errors."""

from __future__ import annotations

import pytest

from willo_integration.models import CachedParticipant
from willo_integration.sandbox.models import Interview
from willo_integration.services.invitations import InviteError, participant_invite

from .conftest import requires_sandbox

pytestmark = requires_sandbox


def _invite(sandbox, interview, email="new.person@example.com", name="New Person"):
    return participant_invite(
        scope=sandbox.scope,
        interview_key=interview.key,
        name=name,
        email=email,
        phone="+441234567890",
        send_notifications=False,
        actor=None,
    )


def test_it_invites_a_candidate_and_caches_them(sandbox):
    interview = Interview.objects.filter(organisation=sandbox.organisation).first()

    row = _invite(sandbox, interview)

    assert interview.participants.filter(email="new.person@example.com").exists()
    cached = CachedParticipant.objects.get(team=sandbox.team, key=row.key)
    assert (cached.status, cached.interview_key, cached.name) == (
        "Invited",
        interview.key,
        "New Person",
    )


def test_it_reports_willos_field_errors(sandbox):
    interview = Interview.objects.filter(organisation=sandbox.organisation).first()
    taken = interview.participants.first().email

    with pytest.raises(InviteError) as caught:
        _invite(sandbox, interview, email=taken)

    assert "already been invited" in " ".join(caught.value.field_errors["email"])
    assert caught.value.message


def test_it_checks_the_form_before_asking_willo(scope, fake_willo):
    with pytest.raises(InviteError) as caught:
        participant_invite(
            scope=scope, interview_key="int1", name=" ", email="not-an-email", actor=None
        )

    assert set(caught.value.field_errors) == {"name", "email"}
    assert fake_willo.requests == []
