"""A key never reaches an error report: neither the request's POST nor any frame's locals."""

from __future__ import annotations

import secrets
import sys

import pytest
from django.core.signals import got_request_exception
from django.urls import reverse
from django.views.debug import ExceptionReporter

from dashboard import crypto

# Made at run time so the source lines an error report quotes cannot contain it.
NEW_KEY = f"willo-{secrets.token_hex(16)}"


class _ExplodingFernet:
    def encrypt(self, data: bytes) -> bytes:
        raise RuntimeError("encryption backend exploded")


@pytest.fixture
def captured_exceptions():
    captured = []

    def receiver(sender, request, **kwargs):
        captured.append((request, sys.exc_info()))

    got_request_exception.connect(receiver)
    yield captured
    got_request_exception.disconnect(receiver)


def test_it_keeps_a_new_key_out_of_the_error_report(
    client, world, monkeypatch, captured_exceptions
):
    monkeypatch.setattr(crypto, "multi_fernet", _ExplodingFernet)
    client.force_login(world.staff)
    client.raise_request_exception = False
    data = {
        "name": world.team_a.name,
        "slug": world.team_a.slug,
        "environment": world.team_a.environment,
        "custom_base_url": "",
        "willo_user_email": "",
        "new_api_key": NEW_KEY,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }

    response = client.post(reverse("admin:dashboard_team_change", args=[world.team_a.pk]), data)

    assert response.status_code == 500
    assert NEW_KEY not in response.content.decode()
    (request, exc_info), *_ = captured_exceptions
    reporter = ExceptionReporter(request, *exc_info)
    text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    assert "encryption backend exploded" in text
    assert NEW_KEY not in text
    assert NEW_KEY not in html
