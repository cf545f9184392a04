"""Identity checks: read live from Willo, never stored; revealing them is audited."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core import serializers

from dashboard.models import IdentityReveal
from willo_integration.sandbox.models import IdvSession
from willo_integration.services.identity import (
    WilloUnavailable,
    identity_reveal,
    participant_identity,
)
from willo_integration.services.participants import participant_get

from .conftest import reply, requires_sandbox


def _everything_outside_the_sandbox() -> str:
    models = [m for m in apps.get_models() if m._meta.app_label != "sandbox"]
    return "".join(serializers.serialize("json", m._default_manager.all()) for m in models)


@requires_sandbox
def test_it_reads_the_identity_check_live_and_stores_none_of_it(sandbox):
    session = IdvSession.objects.filter(participant__organisation=sandbox.organisation).first()
    key = session.participant.key
    participant_get(scope=sandbox.scope, key=key)

    info = participant_identity(scope=sandbox.scope, key=key)

    assert info.document_text_extraction.document_number == session.document_number
    assert session.document_number not in _everything_outside_the_sandbox()


@requires_sandbox
def test_it_returns_none_for_a_candidate_without_an_identity_check(sandbox):
    participant = sandbox.organisation.participants.filter(idv_session__isnull=True).first()

    assert participant_identity(scope=sandbox.scope, key=participant.key) is None


def test_it_says_willo_is_unavailable_when_the_check_cannot_be_read(scope, fake_willo):
    fake_willo.on("GET", "participants/p1/idv-info/", reply(502, {"detail": "bad gateway"}))

    with pytest.raises(WilloUnavailable, match="try again"):
        participant_identity(scope=scope, key="p1")


def test_it_audits_a_reveal(scope, admin_user):
    identity_reveal(scope=scope, participant_key="p1", actor=admin_user, ip_address="192.0.2.9")

    reveal = IdentityReveal.objects.get()
    assert (reveal.team, reveal.participant_key, reveal.actor, reveal.ip_address) == (
        scope.team,
        "p1",
        admin_user,
        "192.0.2.9",
    )
