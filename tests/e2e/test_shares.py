"""Share links in the browser: a recruiter ticks candidates and shares them; the hiring
manager opens the link in a fresh browser with no session, plays a video through the
dashboard, gives verdicts; the recruiter sees them in the job's table and on the timeline,
revokes the link, and the manager's next visit is a plain 410."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dashboard.models import ShareVerdict
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_decisions import WIDTHS, no_sideways_scroll
from tests.e2e.test_recruiter_flow import (  # noqa: F401 - northwind is a fixture
    northwind,
    serious_violations,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_shortlist_shared_reviewed_by_a_manager_and_revoked(
    page,
    browser,
    live_server,
    log_in,
    northwind,  # noqa: F811
    width,
    screenshot,
):
    team, job = northwind
    page.set_viewport_size({"width": width, "height": 800})
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/jobs/{job.key}/?status=Completed")

    share = page.get_by_role("button", name="Share with a hiring manager")
    expect(share).to_be_disabled()
    picks = page.locator("input[data-pick]")
    for n in range(2):
        picks.nth(n).check()
    keys = [picks.nth(n).get_attribute("value") for n in range(2)]
    share.click()

    page.wait_for_url(re.compile(r"/shares/new/\?c="))
    expect(page.get_by_role("heading", name="Share with a hiring manager")).to_be_visible()
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)
    page.get_by_label("Hiring manager's name").fill("Hana Manager")
    page.get_by_label("Hiring manager's email").fill("not an email")
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_text("Enter an email address, like ana@example.com.")).to_be_visible()
    page.get_by_label("Hiring manager's email").fill("hana@example.com")
    page.get_by_role("button", name="Make the link").click()

    expect(page.get_by_role("heading", name="Copy the link now")).to_be_visible()
    link = page.get_by_label("Share link").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/share/[\w-]{{32}}/", link)
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(f"share-link-{width}")

    # The manager: a fresh browser, no session, no account.
    manager = browser.new_context(viewport={"width": width, "height": 800})
    hana = manager.new_page()
    hana.set_default_timeout(10_000)
    try:
        hana.goto(link)
        expect(hana.get_by_role("heading", name=re.compile(r"^2 candidates for "))).to_be_visible()
        assert serious_violations(hana) == []
        no_sideways_scroll(hana, width)
        hana.get_by_role("link", name=re.compile(r"^Start with ")).click()

        expect(hana.get_by_role("heading", name=re.compile("^Your verdict on"))).to_be_visible()
        hana.get_by_role("button", name="1.5×").click()
        player = hana.locator("video.player").first
        player.scroll_into_view_if_needed()
        assert player.get_attribute("src").startswith("/share/")
        player.evaluate("p => p.play()")
        expect(player).to_have_js_property("paused", False)
        expect(player).to_have_js_property("playbackRate", 1.5)
        for _ in range(50):  # the video plays through the dashboard: time moves on
            if player.evaluate("p => p.currentTime") > 0.2:
                break
            hana.wait_for_timeout(100)
        assert player.evaluate("p => p.currentTime") > 0.2
        assert serious_violations(hana) == []
        no_sideways_scroll(hana, width)
        hana.screenshot(path=str(SCREENSHOTS / f"share-candidate-{width}.png"), full_page=True)

        hana.get_by_label("Yes", exact=True).check()
        hana.get_by_label("Comment (optional)").fill("Warm and clear.")
        hana.get_by_role("button", name="Save verdict").click()
        expect(hana.get_by_text("Saved: Yes.")).to_be_visible()
        hana.get_by_role("link", name=re.compile(r"^Next: ")).first.click()
        hana.get_by_label("Maybe", exact=True).check()
        hana.get_by_role("button", name="Save verdict").click()
        expect(hana.get_by_text("Saved: Maybe.")).to_be_visible()
        assert dict(ShareVerdict.objects.values_list("participant_key", "verdict")) == {
            keys[0]: "yes",
            keys[1]: "maybe",
        }

        # The recruiter sees the verdicts, then revokes the link.
        page.goto(f"/teams/{team.slug}/jobs/{job.key}/?status=Completed")
        row = page.locator(f"#row-{keys[0]}")
        expect(row.get_by_text("Yes", exact=True)).to_be_visible()
        expect(row.get_by_text("Hana Manager")).to_be_visible()
        page.goto(f"/teams/{team.slug}/candidates/{keys[0]}/")
        expect(page.get_by_text(re.compile(r"Hana Manager \(hiring manager"))).to_be_visible()
        expect(page.get_by_text("Warm and clear.")).to_be_visible()
        page.goto(f"/teams/{team.slug}/jobs/{job.key}/#shares")
        shares = page.locator("#shares")
        expect(shares.get_by_text("Yes 1")).to_be_visible()
        shares.get_by_role("button", name=re.compile("^Revoke")).click()
        dialog = page.locator("#share-revoke-dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Revoke").click()
        expect(page.locator("#shares").get_by_text("Revoked", exact=True)).to_be_visible()

        gone = hana.goto(link)
        assert gone.status == 410
        expect(hana.get_by_role("heading", name="This link was withdrawn")).to_be_visible()
        assert serious_violations(hana) == []
    finally:
        manager.close()
