"""Browser auth under /accounts/: login, throttling, logout, password change, CSRF."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from dashboard.client_ip import client_ip_address

LOGIN = "/accounts/login/"


def _login(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _fail(client: Client, username: str, times: int, **extra) -> None:
    for _ in range(times):
        _login(client, username, "wrong-password", **extra)


def test_it_logs_in_with_the_right_password(client, world):
    response = _login(client, "alice", "alice-password-123")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_it_shows_the_login_form(client, db):
    response = client.get(LOGIN)

    assert response.status_code == 200
    assert 'autocomplete="current-password"' in response.content.decode()


def test_it_locks_a_username_at_an_address_after_five_failures(client, world):
    _fail(client, "alice", 5)

    response = _login(client, "alice", "alice-password-123")

    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()


def test_it_does_not_lock_after_four_failures(client, world):
    _fail(client, "alice", 4)

    assert _login(client, "alice", "alice-password-123").status_code == 302


def test_it_does_not_lock_another_user_at_the_same_address(client, world):
    _fail(client, "alice", 5)

    assert _login(Client(), "bob", "bob-password-123").status_code == 302


def test_it_does_not_lock_the_same_user_at_another_address(client, world):
    _fail(client, "alice", 5, REMOTE_ADDR="198.51.100.1")

    response = _login(Client(), "alice", "alice-password-123", REMOTE_ADDR="198.51.100.2")

    assert response.status_code == 302


def test_it_ignores_a_forged_forwarded_for_without_trusted_proxies(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(5):
        _login(
            client, "alice", "wrong", REMOTE_ADDR="198.51.100.5", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"
        )

    response = _login(
        client,
        "alice",
        "alice-password-123",
        REMOTE_ADDR="198.51.100.5",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.5"}


def test_it_reads_the_client_from_the_right_behind_one_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.50"
    )

    assert client_ip_address(request) == "203.0.113.50"


def test_it_reads_the_client_behind_two_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.50, 10.0.0.2"
    )

    assert client_ip_address(request) == "203.0.113.50"


def test_it_uses_the_peer_when_the_forwarded_chain_is_too_short(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="6.6.6.6")

    assert client_ip_address(request) == "198.51.100.9"


def test_it_uses_the_peer_when_the_forwarded_entry_is_not_an_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="unknown")

    assert client_ip_address(request) == "198.51.100.9"


def test_it_logs_out_only_by_post(client, world):
    client.force_login(world.alice)

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/", follow=True)

    assert response.redirect_chain[-1][0] == LOGIN
    assert "You have logged out." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_changes_the_password(client, world):
    client.force_login(world.alice)

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "alice-password-123",
            "new_password1": "a-much-longer-new-passphrase",
            "new_password2": "a-much-longer-new-passphrase",
        },
        follow=True,
    )

    assert "Your password has been changed" in response.content.decode()
    world.alice.refresh_from_db()
    assert world.alice.check_password("a-much-longer-new-passphrase")


def test_it_requires_login_for_the_password_change(client, db):
    response = client.get("/accounts/password_change/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_it_puts_the_csrf_token_in_hx_headers_on_the_body(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)

    content = client.get(reverse("dashboard:team_list")).content.decode()

    match = re.search(r"<body hx-headers='\{\"x-csrftoken\": \"([^\"]+)\"\}'[^>]*>", content)
    assert match
    assert match.group(1)


def test_it_refuses_a_state_change_without_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.multi)

    response = client.post(reverse("dashboard:team_switch"), {"team": world.team_b.slug})

    assert response.status_code == 403


@pytest.mark.parametrize("htmx", [True, False])
def test_it_accepts_a_state_change_with_the_csrf_header_htmx_sends(world, htmx):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.multi)
    page = client.get(reverse("dashboard:team_list")).content.decode()
    token = re.search(r'"x-csrftoken": "([^"]+)"', page).group(1)
    headers = {"X-CSRFToken": token}
    if htmx:
        headers["HX-Request"] = "true"

    response = client.post(
        reverse("dashboard:team_switch"), {"team": world.team_b.slug}, headers=headers
    )

    assert response.status_code == 200 if htmx else 302
    assert client.session["dashboard_current_team"] == world.team_b.slug
