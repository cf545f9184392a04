"""Key verification over real HTTP semantics: the in-process Willo sandbox behind WSGI."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from dashboard.models import Team
from willo_integration.sandbox.in_process import in_process_http_client
from willo_integration.services.team_keys import REJECTED_MESSAGE, team_key_verify

pytestmark = pytest.mark.skipif(
    not settings.WILLO_SANDBOX_ENABLED, reason="the sandbox URLs are not mounted"
)


@pytest.fixture
def sandbox_org(db):
    from willo_integration.sandbox.models import ApiKey, Organisation, Role, SandboxUser

    now = timezone.now()
    org = Organisation.objects.create(name="Sandbox Agency", is_parent=True, created_at=now)
    owner = SandboxUser.objects.create(
        organisation=org,
        email="owner@agency.test",
        full_name="Olive Owner",
        role=Role.OWNER,
        created_at=now,
    )
    SandboxUser.objects.create(
        organisation=org,
        email="sam@agency.test",
        full_name="Sam Standard",
        role=Role.STANDARD,
        created_at=now,
    )
    ApiKey.objects.create(key="sandbox-owner-key-0123456789", user=owner)
    return org


@pytest.fixture
def sandbox_http():
    with in_process_http_client() as client:
        yield client


def test_it_verifies_a_sandbox_key_and_finds_its_owner(sandbox_org, sandbox_http):
    team = Team(
        name="Agency", environment=Team.Environment.SANDBOX, willo_user_email="owner@agency.test"
    )
    team.set_api_key("sandbox-owner-key-0123456789")
    team.save()

    result = team_key_verify(team=team, actor=None, ip_address=None, http_client=sandbox_http)

    team.refresh_from_db()
    assert result.ok, result.message
    assert team.key_verified_user_name == "Olive Owner"
    assert team.is_parent


def test_it_reports_a_key_the_sandbox_does_not_know(sandbox_org, sandbox_http):
    team = Team(name="Agency", environment=Team.Environment.SANDBOX)
    team.set_api_key("not-a-sandbox-key-00000000")
    team.save()

    result = team_key_verify(team=team, actor=None, ip_address=None, http_client=sandbox_http)

    assert result.message == REJECTED_MESSAGE
    assert not Team.objects.get(pk=team.pk).is_key_verified
