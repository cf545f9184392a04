"""The admin site for key management: write-only keys, verify and rotate, the audit log."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from dashboard.models import KeyAuditEntry, Membership, Team
from tests.dashboard.admin_forms import team_form_data
from tests.dashboard.conftest import ACME_KEY
from tests.dashboard.willo_fake import FakeWillo


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


def _change_url(team: Team) -> str:
    return reverse("admin:dashboard_team_change", args=[team.pk])


def test_it_lists_environment_key_ending_and_health_columns(staff_client, world):
    response = staff_client.get(reverse("admin:dashboard_team_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert f"…{ACME_KEY[-4:]}" in content
    for heading in (
        "Environment",
        "Key ends with",
        "Verified",
        "Verified as",
        "Last synced at",
        "Last webhook at",
    ):
        assert heading in content


def test_it_never_renders_the_key_in_the_list_or_form(staff_client, world):
    raw = Team.objects.filter(pk=world.team_a.pk).values_list("api_key", flat=True).get().token

    for url in (reverse("admin:dashboard_team_changelist"), _change_url(world.team_a)):
        content = staff_client.get(url).content.decode()
        assert ACME_KEY not in content
        assert raw not in content


def test_it_offers_the_key_as_a_write_only_password_field(staff_client, world):
    response = staff_client.get(_change_url(world.team_a))

    assert 'type="password" name="new_api_key"' in response.content.decode()
    assert (
        f"Leave blank to keep the current key (ending …{ACME_KEY[-4:]})"
        in response.content.decode()
    )


def test_it_keeps_the_key_when_the_field_is_left_blank(staff_client, world):
    response = staff_client.post(
        _change_url(world.team_a), team_form_data(world.team_a, name="Acme 2")
    )

    assert response.status_code == 302
    team = Team.objects.get(pk=world.team_a.pk)
    assert team.name == "Acme 2"
    assert team.api_key_plaintext() == ACME_KEY


def test_it_replaces_the_key_and_audits_who_and_where(staff_client, world):
    response = staff_client.post(
        _change_url(world.team_a),
        team_form_data(world.team_a, new_api_key="replacement-key-abcd-7777"),
        REMOTE_ADDR="192.0.2.44",
    )

    assert response.status_code == 302
    team = Team.objects.get(pk=world.team_a.pk)
    assert team.api_key_plaintext() == "replacement-key-abcd-7777"
    entry = KeyAuditEntry.objects.get(team=team)
    assert (entry.action, entry.actor, entry.ip_address) == (
        KeyAuditEntry.Action.REPLACED,
        world.staff,
        "192.0.2.44",
    )
    assert "replacement" not in entry.detail


def test_it_sets_the_key_of_a_new_team(staff_client, world):
    data = team_form_data(
        Team(name="Charlie", environment="production"), slug="", new_api_key="charlie-key-00001234"
    )

    response = staff_client.post(reverse("admin:dashboard_team_add"), data)

    assert response.status_code == 302
    team = Team.objects.get(name="Charlie")
    assert team.slug == "charlie"
    assert team.api_key_plaintext() == "charlie-key-00001234"
    assert KeyAuditEntry.objects.get(team=team).action == KeyAuditEntry.Action.SET


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("not a url", "Enter a valid URL"),
        ("ftp://willo.example.com/api", "Enter a valid URL"),
        ("http://willo.example.com/api/integrations/v2", "Use https://"),
    ],
)
def test_it_rejects_a_bad_custom_base_url(staff_client, world, url, error):
    data = team_form_data(world.team_a, environment="custom", custom_base_url=url)

    response = staff_client.post(_change_url(world.team_a), data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Team.objects.get(pk=world.team_a.pk).environment == "sandbox"


def test_it_accepts_plain_http_to_a_loopback_host(staff_client, world):
    data = team_form_data(
        world.team_a,
        environment="custom",
        custom_base_url="http://localhost:8001/api/integrations/v2",
    )

    response = staff_client.post(_change_url(world.team_a), data)

    assert response.status_code == 302
    assert (
        Team.objects.get(pk=world.team_a.pk).base_url == "http://localhost:8001/api/integrations/v2"
    )


def test_it_requires_a_base_url_for_the_custom_environment(staff_client, world):
    response = staff_client.post(
        _change_url(world.team_a), team_form_data(world.team_a, environment="custom")
    )

    assert response.status_code == 200
    assert "Enter the base URL of the custom environment." in response.content.decode()


def test_it_adds_members_inline(staff_client, world):
    data = team_form_data(
        world.team_b,
        **{
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-user": str(world.alice.pk),
            "memberships-0-role": "viewer",
            "memberships-0-team": str(world.team_b.pk),
        },
    )
    data["memberships-INITIAL_FORMS"] = "0"
    Membership.objects.filter(team=world.team_b).delete()

    response = staff_client.post(_change_url(world.team_b), data)

    assert response.status_code == 302
    assert Membership.objects.get(team=world.team_b, user=world.alice).role == "viewer"


def test_it_verifies_keys_from_the_list(staff_client, world, willo_transport):
    willo_transport(FakeWillo())

    response = staff_client.post(
        reverse("admin:dashboard_team_changelist"),
        {"action": "verify_key", ACTION_CHECKBOX_NAME: [world.team_a.pk]},
        follow=True,
    )

    assert (
        "Acme Hiring: Key accepted; it belongs to the Willo user Amelia Mary Earhart"
        in response.content.decode()
    )
    assert Team.objects.get(pk=world.team_a.pk).is_key_verified


def test_it_says_what_a_401_means(staff_client, world, willo_transport):
    willo_transport(FakeWillo(users_status=401))

    response = staff_client.post(
        reverse("admin:dashboard_team_changelist"),
        {"action": "verify_key", ACTION_CHECKBOX_NAME: [world.team_a.pk]},
        follow=True,
    )

    assert (
        "Willo refused this key (401): it is wrong, revoked or for another environment."
        in response.content.decode()
    )
    assert not Team.objects.get(pk=world.team_a.pk).is_key_verified


def test_it_asks_for_the_new_key_before_rotating(staff_client, world):
    response = staff_client.post(
        reverse("admin:dashboard_team_changelist"),
        {"action": "rotate_key", ACTION_CHECKBOX_NAME: [world.team_a.pk]},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Rotate the API key of Acme Hiring" in content
    assert 'type="password" name="new_api_key"' in content
    assert Team.objects.get(pk=world.team_a.pk).api_key_plaintext() == ACME_KEY


def test_it_rotates_the_key_with_an_audit_entry(staff_client, world, willo_transport):
    willo_transport(FakeWillo())

    response = staff_client.post(
        reverse("admin:dashboard_team_changelist"),
        {
            "action": "rotate_key",
            ACTION_CHECKBOX_NAME: [world.team_a.pk],
            "apply": "1",
            "new_api_key": "rotated-willo-key-00005678",
            "verify": "on",
        },
        REMOTE_ADDR="192.0.2.99",
        follow=True,
    )

    team = Team.objects.get(pk=world.team_a.pk)
    assert team.api_key_plaintext() == "rotated-willo-key-00005678"
    assert team.is_key_verified
    assert "it now ends with …5678" in response.content.decode()
    entry = KeyAuditEntry.objects.get(team=team, action=KeyAuditEntry.Action.ROTATED)
    assert (entry.actor, entry.ip_address, entry.detail) == (world.staff, "192.0.2.99", "")


def test_it_rotates_one_team_at_a_time(staff_client, world):
    response = staff_client.post(
        reverse("admin:dashboard_team_changelist"),
        {"action": "rotate_key", ACTION_CHECKBOX_NAME: [world.team_a.pk, world.team_b.pk]},
        follow=True,
    )

    assert "Choose exactly one team to rotate its key." in response.content.decode()


def test_it_shows_the_audit_log_read_only(staff_client, world):
    KeyAuditEntry.record(
        team=world.team_a, action="rotated", actor=world.staff, ip_address="192.0.2.1"
    )

    listing = staff_client.get(reverse("admin:dashboard_keyauditentry_changelist"))
    add = staff_client.get(reverse("admin:dashboard_keyauditentry_add"))

    assert "192.0.2.1" in listing.content.decode()
    assert add.status_code == 403


def test_it_keeps_the_admin_from_non_staff(client, world):
    client.force_login(world.alice)

    response = client.get(reverse("admin:dashboard_team_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_it_forgets_the_verification_when_the_environment_changes(staff_client, world):
    from django.utils import timezone

    Team.objects.filter(pk=world.team_a.pk).update(key_verified_at=timezone.now())
    team = Team.objects.get(pk=world.team_a.pk)

    staff_client.post(_change_url(team), team_form_data(team, environment="production"))

    assert not Team.objects.get(pk=team.pk).is_key_verified


def test_it_keeps_the_verification_when_only_the_name_changes(staff_client, world):
    from django.utils import timezone

    Team.objects.filter(pk=world.team_a.pk).update(key_verified_at=timezone.now())
    team = Team.objects.get(pk=world.team_a.pk)

    staff_client.post(_change_url(team), team_form_data(team, name="Acme Renamed"))

    assert Team.objects.get(pk=team.pk).is_key_verified


def test_an_agency_teams_page_lists_its_clients_read_only(staff_client, world):
    from django.utils import timezone

    from willo_integration.models import ChildOrganisation

    world.team_a.is_parent = True
    world.team_a.save()
    ChildOrganisation.objects.create(
        team=world.team_a, key="c" * 32, name="Harbour Logistics", fetched_at=timezone.now()
    )

    agency = staff_client.get(_change_url(world.team_a)).content.decode()
    single = staff_client.get(_change_url(world.team_b)).content.decode()

    assert "Client organisations (agency)" in agency
    assert "Harbour Logistics" in agency
    assert 'name="child_organisations-0-name"' not in agency  # read-only, no inputs
    assert "Client organisations (agency)" not in single


def test_staff_see_why_a_decision_failed_and_send_it_again_by_a_worker(
    staff_client, world, django_capture_on_commit_callbacks
):
    from dashboard.models import Decision
    from willo_integration.services.decisions import decisions_sweep

    failed = Decision.objects.create(
        team=world.team_a,
        participant_key="p1",
        participant_name="Ann Archer",
        status="Rejected",
        state=Decision.State.FAILED,
        attempts=6,
        last_error="Willo did not confirm it after 6 attempts: Willo is not answering.",
    )
    listing = staff_client.get(
        reverse("admin:dashboard_decision_changelist"), {"state__exact": "failed"}
    )
    assert "Willo did not confirm it after 6 attempts" in listing.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        answer = staff_client.post(
            reverse("admin:dashboard_decision_changelist"),
            {"action": "send_again", ACTION_CHECKBOX_NAME: [failed.pk]},
            follow=True,
        )

    assert "1 decision(s) will be sent to Willo again shortly" in answer.content.decode()
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.check_first) == ("pending", 0, True)
    assert decisions_sweep() == 1  # due now: the next sweep (or its task) sends it
