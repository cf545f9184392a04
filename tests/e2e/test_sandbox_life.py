"""The demo's life: the scheduled task makes something happen in the sandbox, its webhook
reaches the dashboard, and the review queue open in a browser grows by itself."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_recruiter_flow import northwind  # noqa: F401 - a fixture
from willo_integration.sandbox import knobs
from willo_integration.sandbox.tasks import simulate_task
from willo_integration.services.scope import Scope
from willo_integration.services.webhooks import webhooks_ensure

pytestmark = pytest.mark.django_db(transaction=True)

TICKS = 40  # a tick is a response half the time: 40 misses in a row, once in 10¹²


def test_the_scheduled_life_of_the_sandbox_grows_the_open_queue(
    page,
    log_in,
    northwind,  # noqa: F811
    live_server,
):
    team, _job = northwind
    assert webhooks_ensure(scope=Scope(team=team), public_url=live_server.url)
    assert not webhooks_ensure(scope=Scope(team=team), public_url=live_server.url)
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/review/?order=newest")

    with knobs.override(webhook_mode="sync", public_base_url=live_server.url):
        for _ in range(TICKS):
            happened = simulate_task.apply().get()
            if "(new_response)" in happened:
                break
        else:
            pytest.fail(f"no candidate responded in {TICKS} ticks")

    # "<organisation>: <candidate> responded to <job> (new_response)"
    responded = re.search(r": (.+?) responded to ", happened).group(1)
    newest = page.locator("[data-candidate-link]").first
    expect(newest).to_have_text(responded, timeout=10_000)  # no reload: the live refresh
    assert page.url.endswith("/review/?order=newest")
