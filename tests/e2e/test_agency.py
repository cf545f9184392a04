"""An agency user against the sandbox's parent and its two children: the cockpit,
switching into each client and back, and a new client."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from dashboard.models import Membership
from tests.e2e.conftest import sandbox_owner_team
from tests.e2e.test_recruiter_flow import serious_violations
from willo_integration.models import CachedInterview

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agency(live_server, settings):
    """The sandbox's parent organisation as an agency team whose key was verified."""
    from willo_integration.services.team_keys import team_key_verify

    team = sandbox_owner_team(live_server, settings, "Northwind Agency")
    assert team_key_verify(team=team, actor=None, ip_address=None).ok
    user = get_user_model().objects.create_user(username="ada", password="ada-password-123")
    Membership.objects.create(user=user, team=team, role=Membership.Role.ADMIN)
    return team, user


def _work_in(page, client: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=f"Work in {client}").click()


def test_an_agency_user_moves_between_clients_and_back(page, agency, signed_in, screenshot):
    team, user = agency
    signed_in(user)
    page.goto(f"/teams/{team.slug}/")
    page.get_by_role("link", name="Clients").click()

    cockpit = page.locator("#agency-cockpit")
    expect(cockpit).to_contain_text("Harbour Logistics")
    expect(cockpit).to_contain_text("Bluebell Care Homes")
    expect(cockpit).to_contain_text("Sean Murphy")
    assert serious_violations(page) == []

    _work_in(page, "Harbour Logistics")
    banner = page.get_by_role("region", name="Client organisation", exact=True)
    expect(banner).to_contain_text("Working in Harbour Logistics")
    expect(page).to_have_url(re.compile(rf"/teams/{team.slug}/jobs/"))
    harbour_jobs = CachedInterview.objects.filter(team=team).exclude(scope="")
    expect(page.locator("main")).to_contain_text(harbour_jobs.first().title)
    screenshot("agency-in-harbour")

    page.reload()  # the choice survives a reload
    expect(banner).to_contain_text("Working in Harbour Logistics")

    banner.get_by_label("Another client").select_option(label="Bluebell Care Homes")
    with page.expect_navigation():
        banner.get_by_role("button", name="Switch").click()
    expect(banner).to_contain_text("Working in Bluebell Care Homes")
    expect(banner.get_by_label("Another client").locator("option")).to_have_text(
        ["Harbour Logistics"]
    )
    with page.expect_navigation():
        banner.get_by_role("button", name=f"Back to {team.name}").click()
    expect(page.get_by_role("region", name="Client organisation", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text("client organisations")
    # Both clients were opened, so the cockpit now reads their jobs from the cache.
    expect(cockpit.locator("td.num").first).not_to_have_text("0")


def test_an_agency_admin_creates_a_client(page, agency, signed_in):
    team, user = agency
    signed_in(user)
    page.goto(f"/teams/{team.slug}/agency/")

    page.get_by_label("Organisation name").fill("Doe Technologies")
    page.get_by_label("Owner's full name").fill("Jo Doe")
    page.get_by_label("Owner's email").fill("not an email")
    page.get_by_role("button", name="Create client").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()

    page.get_by_label("Owner's email").fill("jo@doe.example")
    page.get_by_role("button", name="Create client").click()

    expect(page.get_by_role("status")).to_contain_text("Created the client organisation")
    expect(page.locator("#agency-cockpit")).to_contain_text("Doe Technologies")
    _work_in(page, "Doe Technologies")
    expect(page.get_by_role("region", name="Client organisation", exact=True)).to_contain_text(
        "Working in Doe Technologies"
    )
