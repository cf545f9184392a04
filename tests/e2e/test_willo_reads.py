"""A member past their reads of Willo a minute is told how long to wait; the page stays."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from playwright.sync_api import expect

from dashboard.models import Membership
from tests.e2e.conftest import password_of, sandbox_owner_team
from tests.e2e.test_recruiter_flow import serious_violations
from willo_integration.models import CachedInterview
from willo_integration.services.refresh import interviews_refresh
from willo_integration.services.scope import Scope

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def one_read_a_minute(live_server, settings):
    """A recruiter on a sandbox team whose jobs are cached, allowed one read a minute."""
    settings.WILLO_MEMBER_REFRESHES_PER_MINUTE = 1
    settings.WILLO_REFRESH_COALESCE_SECONDS = 0  # every click is a read of its own
    cache.clear()
    team = sandbox_owner_team(live_server, settings, "Northwind Hiring", participants=6)
    interviews_refresh(scope=Scope(team=team))
    user = get_user_model().objects.create_user(username="rachel", password=password_of("rachel"))
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    return team


@pytest.mark.parametrize("width", [1280, 390])
def test_a_member_over_the_limit_is_told_how_long_to_wait(page, log_in, one_read_a_minute, width):
    team = one_read_a_minute
    page.set_viewport_size({"width": width, "height": 900})
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/jobs/")
    first_job = CachedInterview.objects.filter(team=team).order_by("title").first()
    expect(page.get_by_text(first_job.title).first).to_be_visible()
    refresh = page.get_by_role("button", name="Refresh from Willo")

    # A read that succeeds reloads the page; wait for that reload, not a navigation of our own
    # (which the reload would abort).
    with (
        page.expect_navigation(),
        page.expect_response(lambda r: r.request.method == "POST") as first,
    ):
        refresh.click()
    assert first.value.status == 200
    with page.expect_response(lambda r: r.request.method == "POST") as second:
        page.get_by_role("button", name="Refresh from Willo").click()

    assert second.value.status == 429
    alert = page.get_by_role("alert").filter(has_text="Willo for fresh data 1 times")
    expect(alert).to_contain_text("Try again in")
    expect(page.get_by_text(first_job.title).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []
