"""Compare in the browser: three candidates ticked in the job table, side by side, a video
played at the chosen speed, a recommendation and a decision given from there; on a phone
the page never scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dashboard.models import Decision, Review
from tests.e2e.test_decisions import (  # noqa: F401 - long_window is a fixture
    WIDTHS,
    long_window,
    no_sideways_scroll,
)
from tests.e2e.test_recruiter_flow import (  # noqa: F401 - northwind is a fixture
    northwind,
    serious_violations,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_three_candidates_compared_reviewed_and_decided(
    page,
    log_in,
    northwind,  # noqa: F811
    long_window,  # noqa: F811
    width,
    screenshot,
):
    team, job = northwind
    page.set_viewport_size({"width": width, "height": 800})
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/jobs/{job.key}/?status=Completed")

    compare = page.get_by_role("button", name="Compare selected")
    expect(compare).to_be_disabled()
    picks = page.locator("input[data-pick]")
    if picks.count() < 3:  # fewer responded: any status
        page.goto(f"/teams/{team.slug}/jobs/{job.key}/")
    for n in range(3):
        picks.nth(n).check()
    keys = [picks.nth(n).get_attribute("value") for n in range(3)]
    expect(compare).to_be_enabled()
    compare.click()

    page.wait_for_url(re.compile(r"/compare/\?c="))
    expect(page.get_by_role("heading", name="Compare 3 candidates", level=1)).to_be_visible()
    assert page.url.endswith("?" + "&".join(f"c={k}" for k in keys))
    expect(page.locator(".compare__candidate")).to_have_count(3)
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)
    screenshot(f"compare-{width}")

    # A video at 1.5×, kept for the member.
    page.get_by_role("button", name="1.5×").click()
    player = page.locator("video.player").first
    player.scroll_into_view_if_needed()
    player.evaluate("p => p.play()")
    expect(player).to_have_js_property("paused", False)
    expect(player).to_have_js_property("playbackRate", 1.5)

    # The first candidate: a rating, my Strong yes, then Reject; no page load, the video
    # plays on.
    page.evaluate("() => window.__sameDocument = true")
    three = re.compile(r"^3 of 5")
    page.locator("form.compare__rate").first.get_by_role("button", name=three).click()
    rated = page.locator("form.compare__rate").first.get_by_role("button", name=three)
    expect(rated).to_have_attribute("aria-pressed", "true")
    first = page.locator(".compare__candidate").first
    first.get_by_role("button", name="Strong yes").click()
    expect(page.locator(".compare__candidate").first.get_by_role("button", name="Strong yes")
           ).to_have_attribute("aria-pressed", "true")  # fmt: skip
    review = Review.objects.get(participant_key=keys[0])
    assert review.recommendation == "strong_yes"
    assert list(review.ratings.values_list("rating", flat=True)) == [3]
    assert page.evaluate("() => window.__sameDocument === true")
    expect(player).to_have_js_property("paused", False)
    page.locator(".compare__candidate").first.get_by_role(
        "button", name=re.compile("^Reject")
    ).click()
    confirm = page.locator("#confirm-dialog")
    if confirm.is_visible():  # asked first only for one who has not responded
        confirm.get_by_role("button", name="Confirm").click()
    # No page load: the notice (with its Undo) comes, and the candidates' heads follow.
    expect(page.locator("#decision-notice")).to_contain_text("will be rejected")
    expect(page.locator(".compare__candidate").first.get_by_role("button", name=re.compile("^Undo"))
           ).to_be_visible()  # fmt: skip
    assert page.evaluate("() => window.__sameDocument === true")
    decision = Decision.objects.get(participant_key=keys[0])
    assert decision.status == "Rejected"
    no_sideways_scroll(page, width)

    # Undo from the candidate's head: Willo never hears of it.
    page.locator(".compare__candidate").first.get_by_role(
        "button", name=re.compile("^Undo")
    ).click()
    expect(page.locator("#decision-notice")).to_contain_text("undone by rachel")
    decision.refresh_from_db()
    assert decision.state == Decision.State.UNDONE
