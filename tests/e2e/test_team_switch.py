"""What a person in two teams sees switching teams in the header, and an outsider's 404."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def _open_team_a(page, crew, signed_in) -> None:
    signed_in(crew.multi)
    page.goto(f"/teams/{crew.team_a.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Hiring")


def _switch_to(page, team_name: str) -> None:
    page.get_by_label("Team", exact=True).select_option(label=team_name)
    with page.expect_navigation():
        page.get_by_role("button", name="Switch").click()


def test_it_switches_from_team_a_to_team_b_in_the_header(page, crew, signed_in):
    _open_team_a(page, crew, signed_in)
    expect(page.get_by_label("Team", exact=True)).to_have_value(crew.team_a.slug)

    _switch_to(page, "Bravo Talent")

    expect(page).to_have_url(re.compile(rf"/teams/{crew.team_b.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bravo Talent")
    expect(page.get_by_label("Team", exact=True)).to_have_value(crew.team_b.slug)


def test_it_keeps_team_b_after_a_reload(page, crew, signed_in):
    _open_team_a(page, crew, signed_in)
    _switch_to(page, "Bravo Talent")

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bravo Talent")
    expect(page.get_by_label("Team", exact=True)).to_have_value(crew.team_b.slug)
    # The dashboard's home page remembers the current team too.
    page.goto("/")
    expect(page).to_have_url(re.compile(rf"/teams/{crew.team_b.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bravo Talent")


def test_it_shows_a_404_page_for_a_team_the_user_is_not_in(page, crew, signed_in):
    signed_in(crew.alice)

    response = page.goto(f"/teams/{crew.team_b.slug}/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("belongs to a team you are not a member of")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Bravo Talent")


def test_it_sends_the_page_csrf_token_with_the_team_switch_post(page, crew, signed_in):
    _open_team_a(page, crew, signed_in)
    hx_headers = page.locator("body").get_attribute("hx-headers")
    assert hx_headers is not None
    token = json.loads(hx_headers)["x-csrftoken"]
    form_token = page.locator(".team-switcher input[name=csrfmiddlewaretoken]").input_value()
    assert token
    assert token == form_token

    # An htmx request from the page carries only the body's hx-headers, no form token.
    with page.expect_request("**/teams/switch/") as posted, page.expect_navigation():
        page.evaluate(
            "slug => htmx.ajax('POST', '/teams/switch/', {values: {team: slug}})",
            crew.team_b.slug,
        )

    assert posted.value.headers["x-csrftoken"] == token
    assert "csrfmiddlewaretoken" not in (posted.value.post_data or "")
    assert posted.value.response().status == 200
    expect(page).to_have_url(re.compile(rf"/teams/{crew.team_b.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bravo Talent")
