"""The stored key goes only to Willo: bound to its base URL, allowed hosts and public
addresses in production (on save and at each connection), and messages that never tell
what answered. Also what the team and jobs pages say of a refused key, rotating a key
with verification first, and agency detection on first use."""

from __future__ import annotations

import socket
import threading
from io import StringIO

import httpx
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from dashboard.models import KeyAuditEntry, Team
from tests.dashboard.admin_forms import team_form_data
from tests.dashboard.conftest import ACME_KEY
from tests.dashboard.willo_fake import FakeWillo
from willo_integration.models import ChildOrganisation
from willo_integration.services.freshness import KEY_REFUSED
from willo_integration.services.scope import Scope
from willo_integration.services.team_keys import (
    REJECTED_MESSAGE,
    UNREACHABLE_MESSAGE,
    team_key_verify,
)

PRODUCTION_RULES = override_settings(
    WILLO_SANDBOX_ENABLED=False, WILLO_ALLOW_PRIVATE_API_HOSTS=False
)


class Listener:
    """A real TCP listener on a loopback port; records whatever a client sends it."""

    def __init__(self, greeting: bytes = b"") -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.greeting = greeting
        self.received = b""
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(0.5)
                try:
                    self.received += conn.recv(65536)
                    if self.greeting:
                        conn.sendall(self.greeting)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    served = Listener()
    yield served
    served.close()


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def _resolve_to(monkeypatch, *addresses: str) -> None:
    """socket.getaddrinfo answers these addresses in turn (the last one from then on)."""
    queue = list(addresses)

    def getaddrinfo(host, port, *args, **kwargs):
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


@pytest.fixture
def team_changer(client, world):
    """A staff member who is not a superuser, with view and change on teams."""
    user = get_user_model().objects.create_user(
        username="operator", password="operator-password-123", is_staff=True
    )
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_team", "change_team"]))
    client.force_login(user)
    return client


def _change(client, team: Team, **overrides):
    return client.post(
        reverse("admin:dashboard_team_change", args=[team.pk]), team_form_data(team, **overrides)
    )


def _point_at(team: Team, base_url: str) -> None:
    """A row pointing at ``base_url`` with its key bound there (as stored before the
    rules, or while the sandbox was on): only the connection-time checks stand."""
    binding = f"custom {base_url.rstrip('/')}"
    Team.objects.filter(pk=team.pk).update(
        environment=Team.Environment.CUSTOM, custom_base_url=base_url, api_key_binding=binding
    )
    team.refresh_from_db()


# --- the SSRF scenario ------------------------------------------------------------


@PRODUCTION_RULES
def test_a_team_changer_cannot_point_the_key_at_a_loopback_listener(team_changer, world, listener):
    url = f"http://127.0.0.1:{listener.port}/api/integrations/v2"

    response = _change(team_changer, world.team_a, environment="custom", custom_base_url=url)

    assert response.status_code == 200  # the form again, with the problem named
    assert "Not allowed: the base URL must use https://." in response.content.decode()
    team = Team.objects.get(pk=world.team_a.pk)
    assert team.environment == Team.Environment.SANDBOX
    assert team.api_key_plaintext() == ACME_KEY
    assert listener.connections == 0


@PRODUCTION_RULES
def test_verify_key_sends_nothing_to_a_loopback_url_already_stored(team_changer, world, listener):
    _point_at(world.team_a, f"http://127.0.0.1:{listener.port}/api/integrations/v2")

    response = team_changer.post(
        reverse("admin:dashboard_team_changelist"),
        {"action": "verify_key", ACTION_CHECKBOX_NAME: [world.team_a.pk]},
        follow=True,
    )

    content = response.content.decode()
    assert "The base URL is not allowed" in content
    listener.close()
    assert listener.connections == 0
    assert listener.received == b""


@PRODUCTION_RULES
@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/api/integrations/v2",
        "https://127.0.0.1:8443/api/integrations/v2",
        "https://willo.example.com/api/integrations/v2",
    ],
)
def test_the_admin_refuses_hosts_outside_the_allowed_list(team_changer, world, url):
    response = _change(team_changer, world.team_a, environment="custom", custom_base_url=url)

    assert response.status_code == 200
    assert "is not an allowed Willo API host (allowed: api.stage.willotalent.com, " in (
        response.content.decode()
    )
    assert Team.objects.get(pk=world.team_a.pk).environment == Team.Environment.SANDBOX


@PRODUCTION_RULES
def test_the_admin_refuses_an_allowed_host_resolving_to_a_private_address(
    team_changer, world, monkeypatch
):
    _resolve_to(monkeypatch, "10.20.30.40")

    response = _change(team_changer, world.team_a, environment="production")

    assert "resolves to 10.20.30.40, not a public address" in response.content.decode()
    assert Team.objects.get(pk=world.team_a.pk).environment == Team.Environment.SANDBOX


@PRODUCTION_RULES
@pytest.mark.parametrize("address", ["10.0.0.5", "127.0.0.1", "169.254.169.254"])
def test_a_host_resolving_to_a_private_address_is_refused_at_connect_time(
    world, monkeypatch, address
):
    _point_at(world.team_a, "https://api.willotalent.com/api/integrations/v2")
    _resolve_to(monkeypatch, address)
    connected = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: connected.append(addr))

    result = team_key_verify(team=world.team_a, actor=None, ip_address=None)

    assert not result.ok
    assert result.message == (
        "Could not reach Willo: the base URL's host does not resolve to a public address."
    )
    assert connected == []


@PRODUCTION_RULES
def test_a_rebinding_host_is_refused_at_the_second_connection(world, monkeypatch):
    _point_at(world.team_a, "https://api.willotalent.com/api/integrations/v2")
    _resolve_to(monkeypatch, "93.184.216.34", "10.0.0.5")
    connected = []

    def connect(self, addr):
        connected.append(addr[0])
        raise ConnectionRefusedError  # no network in tests: the first one just fails

    monkeypatch.setattr(socket.socket, "connect", connect)

    first = team_key_verify(team=world.team_a, actor=None, ip_address=None)
    second = team_key_verify(team=world.team_a, actor=None, ip_address=None)

    assert first.message == UNREACHABLE_MESSAGE
    assert second.message.endswith("does not resolve to a public address.")
    assert connected == ["93.184.216.34"]


@override_settings(
    WILLO_SANDBOX_ENABLED=False,
    WILLO_ALLOW_PRIVATE_API_HOSTS=False,
    WILLO_ALLOWED_API_HOSTS=["willo.example.com"],
)
def test_a_host_in_the_allowed_list_is_accepted(team_changer, world, monkeypatch):
    _resolve_to(monkeypatch, "93.184.216.34")
    url = "https://willo.example.com/api/integrations/v2"

    response = _change(team_changer, world.team_a, environment="custom", custom_base_url=url)

    assert response.status_code == 302
    assert Team.objects.get(pk=world.team_a.pk).custom_base_url == url


@pytest.mark.parametrize(
    "rules",
    [
        {"WILLO_SANDBOX_ENABLED": True, "WILLO_ALLOW_PRIVATE_API_HOSTS": False},
        {"WILLO_SANDBOX_ENABLED": False, "WILLO_ALLOW_PRIVATE_API_HOSTS": True},
    ],
)
def test_loopback_is_allowed_with_the_sandbox_or_the_operators_flag(
    team_changer, world, listener, rules
):
    url = f"http://127.0.0.1:{listener.port}/api/integrations/v2"
    with override_settings(**rules):
        response = _change(team_changer, world.team_a, environment="custom", custom_base_url=url)

    assert response.status_code == 302
    assert Team.objects.get(pk=world.team_a.pk).custom_base_url == url


def test_open_and_closed_ports_get_the_same_message(world):
    """Allowed (sandbox on) yet nothing tells a port that answered from one that did not."""
    ssh = Listener(greeting=b"SSH-2.0-OpenSSH_9.6\r\n")
    try:
        messages = []
        for port in (ssh.port, _closed_port()):
            team = Team.objects.get(pk=world.team_a.pk)
            team.environment = Team.Environment.CUSTOM
            team.custom_base_url = f"http://127.0.0.1:{port}/api/integrations/v2"
            team.set_api_key(ACME_KEY)
            team.save()
            messages.append(team_key_verify(team=team, actor=None, ip_address=None).message)
    finally:
        ssh.close()

    assert ssh.connections >= 1
    assert messages == [UNREACHABLE_MESSAGE, UNREACHABLE_MESSAGE]
    assert "SSH" not in messages[0]
    assert "refused" not in messages[1]


# --- a key is bound to its base URL --------------------------------------------------


def test_changing_the_base_url_clears_the_key_with_an_audit_entry(staff_client, world):
    response = _change(
        staff_client,
        world.team_a,
        environment="custom",
        custom_base_url="https://willo.example.com/api/integrations/v2",
    )

    assert response.status_code == 302
    team = Team.objects.get(pk=world.team_a.pk)
    assert not team.has_api_key
    assert team.api_key_last4 == ""
    entry = KeyAuditEntry.objects.get(team=team, action=KeyAuditEntry.Action.CLEARED)
    assert entry.actor == world.staff
    assert "sandbox" in entry.detail
    assert "willo.example.com" in entry.detail
    assert ACME_KEY not in entry.detail


def test_a_new_key_with_the_new_base_url_is_kept(staff_client, world):
    _change(
        staff_client,
        world.team_a,
        environment="custom",
        custom_base_url="https://willo.example.com/api/integrations/v2",
        new_api_key="acme-new-key-for-new-url-0001",
    )

    team = Team.objects.get(pk=world.team_a.pk)
    assert team.api_key_plaintext() == "acme-new-key-for-new-url-0001"
    assert not KeyAuditEntry.objects.filter(action=KeyAuditEntry.Action.CLEARED).exists()


def test_the_model_clears_the_key_when_the_custom_url_changes(world):
    team = world.team_a
    team.environment = Team.Environment.CUSTOM
    team.custom_base_url = "https://one.example.com/api"
    team.set_api_key(ACME_KEY)
    team.save()

    team.custom_base_url = "https://two.example.com/api"
    team.save()

    assert not Team.objects.get(pk=team.pk).has_api_key
    assert KeyAuditEntry.objects.filter(team=team, action="cleared").count() == 1


def test_a_key_is_never_handed_out_for_another_base_url(world):
    Team.objects.filter(pk=world.team_a.pk).update(
        environment="custom", custom_base_url="https://elsewhere.example.com/api"
    )
    team = Team.objects.get(pk=world.team_a.pk)

    result = team_key_verify(team=team, actor=None, ip_address=None)

    assert not result.ok
    assert "no API key" in result.message


def test_add_team_clears_a_key_when_the_base_url_changes(world):
    out = StringIO()
    call_command(
        "add_team",
        "Acme Hiring",
        "--base-url",
        "https://willo.example.com/api/integrations/v2",
        stdout=out,
        stderr=StringIO(),
    )

    assert not Team.objects.get(pk=world.team_a.pk).has_api_key
    assert "The stored API key was cleared" in out.getvalue()
    assert KeyAuditEntry.objects.filter(team=world.team_a, action="cleared").exists()


@PRODUCTION_RULES
@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/api", "https://169.254.169.254/", "https://willo.example.com/api"],
)
def test_add_team_applies_the_same_rules(db, url):
    with pytest.raises(CommandError, match="--base-url: Not allowed"):
        call_command("add_team", "Zulu", "--base-url", url, stdout=StringIO())
    assert not Team.objects.filter(name="Zulu").exists()


# --- what a refused key shows -------------------------------------------------------


def test_the_team_page_says_refused_and_when_after_a_401(client, world, willo_transport):
    willo_transport(FakeWillo())
    assert team_key_verify(team=world.team_a, actor=None, ip_address=None).ok
    willo_transport(lambda request: httpx.Response(401, json={"detail": "Invalid key."}))
    client.force_login(world.alice)
    client.get(reverse("dashboard:interview_list", kwargs={"slug": world.team_a.slug}))

    response = client.get(reverse("dashboard:team_detail", kwargs={"slug": world.team_a.slug}))

    content = response.content.decode()
    team = Team.objects.get(pk=world.team_a.pk)
    assert team.key_refused_at is not None
    assert "Refused" in content
    assert "Willo refused the key on" in content
    assert f"{team.key_refused_at:%Y}" in content
    assert "Key accepted" not in content
    assert "Verified</span>" not in content
    assert KeyAuditEntry.objects.filter(team=team, action="refused").count() == 1


def test_a_failed_verification_with_401_marks_the_key_refused(world, willo_transport):
    willo_transport(FakeWillo(users_status=401))

    result = team_key_verify(team=world.team_a, actor=None, ip_address=None)

    assert result.message == REJECTED_MESSAGE
    assert Team.objects.get(pk=world.team_a.pk).key_refused_at is not None


def test_the_jobs_page_of_a_refused_key_says_replace_it_once(client, world, willo_transport):
    willo_transport(lambda request: httpx.Response(401, json={"detail": "Invalid key."}))
    client.force_login(world.alice)
    url = reverse("dashboard:interview_list", kwargs={"slug": world.team_a.slug})
    refresh = reverse("dashboard:interviews_refresh", kwargs={"slug": world.team_a.slug})

    for name, response in (
        ("page", client.get(url)),
        ("fetch", client.post(refresh, follow=True)),
        ("htmx fetch", client.post(refresh, HTTP_HX_REQUEST="true")),
    ):
        content = response.content.decode().replace("&#x27;", "'")
        assert content.count(KEY_REFUSED) == 1, name
        assert "try again in a minute" not in content


# --- rotating a key: verify first ---------------------------------------------------


def _rotate(client, team: Team, **fields):
    data = {
        "action": "rotate_key",
        ACTION_CHECKBOX_NAME: [team.pk],
        "apply": "1",
        "new_api_key": "rotated-but-refused-key-0009",
        "verify": "on",
        **fields,
    }
    return client.post(reverse("admin:dashboard_team_changelist"), data, follow=True)


def test_rotating_to_a_key_willo_refuses_keeps_the_old_key(staff_client, world, willo_transport):
    willo = FakeWillo(users_status=401)
    willo_transport(willo)

    response = _rotate(staff_client, world.team_a)

    content = response.content.decode()
    assert "The new key was not saved and the old key stays" in content
    assert 'type="checkbox" name="save_unverified"' in content
    team = Team.objects.get(pk=world.team_a.pk)
    assert team.api_key_plaintext() == ACME_KEY
    assert willo.requests[0].headers["Authorization"] == "rotated-but-refused-key-0009"
    assert not KeyAuditEntry.objects.filter(action=KeyAuditEntry.Action.ROTATED).exists()
    assert KeyAuditEntry.objects.get(action="verify_failed").detail.startswith("New key not saved")


def test_the_operator_may_save_the_refused_key_anyway(staff_client, world, willo_transport):
    willo_transport(FakeWillo(users_status=401))

    response = _rotate(staff_client, world.team_a, save_unverified="on")

    team = Team.objects.get(pk=world.team_a.pk)
    assert team.api_key_plaintext() == "rotated-but-refused-key-0009"
    assert not team.is_key_verified
    assert "It is not verified" in response.content.decode()
    entry = KeyAuditEntry.objects.get(action=KeyAuditEntry.Action.ROTATED)
    assert entry.detail.startswith("Saved unverified")


def test_rotating_to_an_accepted_key_saves_and_verifies_it(staff_client, world, willo_transport):
    willo = FakeWillo()
    willo_transport(willo)

    _rotate(staff_client, world.team_a, new_api_key="rotated-and-good-key-0042")

    team = Team.objects.get(pk=world.team_a.pk)
    assert team.api_key_plaintext() == "rotated-and-good-key-0042"
    assert team.is_key_verified
    assert {r.headers["Authorization"] for r in willo.requests} == {"rotated-and-good-key-0042"}


# --- agency detection on first use --------------------------------------------------


def _unchecked(team: Team) -> Team:
    Team.objects.filter(pk=team.pk).update(agency_checked_at=None, is_parent=False)
    return Team.objects.get(pk=team.pk)


def test_a_team_never_checked_is_detected_as_an_agency_on_first_use(world, willo_transport):
    willo = FakeWillo(children_status=200)
    willo_transport(willo)
    team = _unchecked(world.team_a)

    Scope(team=team).client().close()
    Scope(team=team).client().close()

    team.refresh_from_db()
    assert team.is_parent
    assert team.agency_checked_at is not None
    assert ChildOrganisation.objects.filter(team=team).count() == 1
    assert [r.url.path.endswith("/children/") for r in willo.requests] == [True]


def test_a_single_organisation_is_recorded_as_checked(world, willo_transport):
    willo = FakeWillo(children_status=403)
    willo_transport(willo)
    team = _unchecked(world.team_a)

    Scope(team=team).client().close()
    Scope(team=team).client().close()

    team.refresh_from_db()
    assert not team.is_parent
    assert team.agency_checked_at is not None
    assert len(willo.requests) == 1


def test_no_answer_leaves_the_team_unchecked_for_next_time(world, willo_transport):
    willo_transport(FakeWillo(connect_error=True))
    team = _unchecked(world.team_a)

    Scope(team=team).client().close()

    assert Team.objects.get(pk=team.pk).agency_checked_at is None


def test_a_team_added_without_verify_is_detected_on_first_use(db, willo_transport):
    willo_transport(FakeWillo(children_status=200))
    out = StringIO()
    call_command(
        "add_team",
        "Kilo Agency",
        "--base-url",
        "http://127.0.0.1:8000/api/integrations/v2",
        "--api-key-stdin",
        stdin=StringIO("kilo-agency-key-00001111"),
        stdout=out,
    )
    team = Team.objects.get(name="Kilo Agency")
    assert team.agency_checked_at is None

    Scope(team=team).client().close()

    assert Team.objects.get(pk=team.pk).is_parent
