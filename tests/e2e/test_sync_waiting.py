"""A sync that found Willo down waits on the team page; a team admin resumes or cancels it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from dashboard.models import Membership
from tests.e2e.conftest import password_of, sandbox_owner_team
from tests.e2e.test_recruiter_flow import serious_violations
from willo_integration.models import SyncRun
from willo_integration.sandbox import knobs
from willo_integration.services.scope import Scope
from willo_integration.services.sync import sync_run, sync_start
from willo_integration.tasks import sync_sweep_task

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def northwind(live_server, settings):
    """A sandbox team with a team admin, ana."""
    settings.WILLO_REQUESTS_PER_SECOND = 1000.0
    team = sandbox_owner_team(live_server, settings, "Northwind Hiring", participants=6)
    ana = get_user_model().objects.create_user(username="ana", password=password_of("ana"))
    Membership.objects.create(user=ana, team=team, role=Membership.Role.ADMIN)
    return team


def waiting_run(team) -> SyncRun:
    """A full sync that found Willo down."""
    run = sync_start(scope=Scope(team=team), kind=SyncRun.Kind.FULL)
    with knobs.override(error_rate=1.0):
        return sync_run(run_id=run.pk)


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []


@pytest.mark.parametrize("width", [1280, 390])
def test_a_sync_waits_while_willo_is_down_and_resume_completes_it(
    page, log_in, northwind, width, screenshot
):
    team = northwind
    page.set_viewport_size({"width": width, "height": 900})
    log_in("ana")
    page.goto(f"/teams/{team.slug}/")
    panel = page.locator("#sync")

    with knobs.override(error_rate=1.0):  # Willo is down
        page.get_by_role("button", name="Full sync").click()
        expect(panel).to_contain_text("Waiting for Willo since", timeout=15_000)

    expect(panel).to_contain_text("next try at")
    expect(panel).to_contain_text("Willo is not answering")
    resume = panel.get_by_role("button", name="Resume", exact=True)
    expect(resume).to_be_visible()
    expect(panel.get_by_role("button", name="Cancel", exact=True)).to_be_visible()
    screenshot(f"sync-waiting-{width}")
    fits(page, width)

    resume.click()  # Willo answers again

    expect(panel).to_contain_text("Full sync: Succeeded", timeout=15_000)
    expect(page.get_by_text("Resumed the sync")).to_be_visible()
    expect(panel.get_by_role("button", name="Resume", exact=True)).to_have_count(0)
    run = SyncRun.objects.get(team=team)
    assert (run.state, run.resumed) == (SyncRun.State.SUCCEEDED, 1)
    fits(page, width)


def test_the_open_page_shows_the_sync_resume_by_itself(page, log_in, northwind):
    team = northwind
    run = waiting_run(team)
    log_in("ana")
    page.goto(f"/teams/{team.slug}/")
    panel = page.locator("#sync")
    expect(panel).to_contain_text("Waiting for Willo since")

    SyncRun.objects.filter(pk=run.pk).update(
        next_attempt_at=run.next_attempt_at - timedelta(hours=1)
    )
    assert sync_sweep_task() == 1  # beat, once Willo answers again

    expect(panel).to_contain_text("Full sync: Succeeded", timeout=15_000)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_team_admin_cancels_a_waiting_sync_after_confirming(
    page, log_in, northwind, width, screenshot
):
    team = northwind
    run = waiting_run(team)
    page.set_viewport_size({"width": width, "height": 900})
    log_in("ana")
    page.goto(f"/teams/{team.slug}/")
    panel = page.locator("#sync")
    dialog = page.get_by_role("dialog", name="Cancel this sync?")

    panel.get_by_role("button", name="Cancel", exact=True).focus()
    page.keyboard.press("Enter")  # keyboard first: it asks, and "Keep it" has the focus
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("not tried again")
    expect(dialog.get_by_role("button", name="Keep it")).to_be_focused()
    screenshot(f"sync-cancel-dialog-{width}")
    fits(page, width)
    page.keyboard.press("Escape")
    expect(dialog).not_to_be_visible()
    assert SyncRun.objects.get(pk=run.pk).state == SyncRun.State.WAITING

    panel.get_by_role("button", name="Cancel", exact=True).click()
    dialog.get_by_role("button", name="Cancel this sync").click()

    expect(panel).to_contain_text("Full sync: Cancelled by ana")
    expect(panel.get_by_role("button", name="Sync new candidates")).to_be_visible()
    expect(panel.get_by_role("button", name="Resume", exact=True)).to_have_count(0)
    assert SyncRun.objects.get(pk=run.pk).state == SyncRun.State.CANCELLED
    fits(page, width)
