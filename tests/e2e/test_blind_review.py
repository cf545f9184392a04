"""Blind review in the browser: a member who turns it on sees candidates by number in the
queue, review mode, the job table and the candidate page, never their names; reveals one,
which the timeline records; on a phone too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dashboard.models import BlindReveal
from tests.e2e.test_decisions import WIDTHS, no_sideways_scroll
from tests.e2e.test_recruiter_flow import (  # noqa: F401 - northwind is a fixture
    northwind,
    serious_violations,
)
from willo_integration.models import CachedParticipant

pytestmark = pytest.mark.django_db(transaction=True)


def identities(job) -> list[str]:
    """What names the job's candidates: each word of their names, their emails, phones."""
    found = set()
    for name, email, phone in job.participants.values_list("name", "email", "phone"):
        found |= {word for word in name.split() if len(word) > 2} | {email, phone} - {""}
    return sorted(found)


def named(page, words: list[str]) -> list[str]:
    """Which of ``words`` the page shows, as whole words, in its text or its title."""
    text = page.locator("body").inner_text() + " " + page.title()
    return [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_member_who_reviews_blind_sees_numbers_and_reveals_one(
    page,
    log_in,
    northwind,  # noqa: F811
    width,
    screenshot,
):
    team, job = northwind
    words = identities(job)
    page.set_viewport_size({"width": width, "height": 800})
    log_in("rachel")

    # Turned on in the preferences, by keyboard.
    page.goto("/accounts/preferences/")
    blind = page.get_by_role("checkbox", name="Review candidates blind")
    blind.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save preferences").press("Enter")
    expect(page.get_by_role("status")).to_have_text("Preferences saved.")

    page.goto(f"/teams/{team.slug}/review/")
    expect(page.locator("[data-candidate-link]").first).to_have_text(re.compile(r"^Candidate \d+$"))
    assert named(page, words) == []
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)

    page.keyboard.press("j")  # review mode
    heading = page.locator("[data-candidate-name]")
    expect(heading).to_have_text(re.compile(r"^Candidate \d+$"))
    expect(page.get_by_text("Hidden by blind review")).to_be_visible()
    assert named(page, words) == []
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)
    screenshot(f"blind-review-mode-{width}")

    page.goto(f"/teams/{team.slug}/jobs/{job.key}/")
    expect(page.get_by_text("Name search is off")).to_be_visible()
    assert named(page, words) == []
    no_sideways_scroll(page, width)

    first = page.locator("a[data-candidate-link]").first
    pseudonym = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(pseudonym)
    expect(page.get_by_text("Videos still show their faces and voices")).to_be_visible()
    assert named(page, words) == []
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)

    page.get_by_role("button", name="Reveal who this is").click()
    key = page.url.rstrip("/").split("/")[-1]
    real = CachedParticipant.objects.get(team=team, key=key).name
    expect(page.get_by_role("heading", level=1)).to_contain_text(real)
    expect(page.get_by_text("rachel revealed who the candidate is (blind review)")).to_be_visible()
    assert BlindReveal.objects.filter(participant_key=key, viewer__username="rachel").exists()
