"""A member's preferences in the browser: changed by keyboard on their page and kept, and
the shortcuts dialog's switch, which is the same preference."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.models import MemberPreferences
from tests.e2e.test_decisions import WIDTHS, no_sideways_scroll
from tests.e2e.test_recruiter_flow import (  # noqa: F401 - northwind is a fixture
    northwind,
    serious_violations,
)

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "/accounts/preferences/"


def radio(page, name: str):
    return page.get_by_role("radio", name=name, exact=True)


def test_preferences_changed_by_keyboard_are_kept(page, log_in, crew):
    log_in("alice")
    page.get_by_role("link", name="Preferences").click()
    expect(page.get_by_role("heading", name="Your preferences", level=1)).to_be_visible()
    expect(radio(page, "On")).to_be_checked()
    expect(radio(page, "1×")).to_be_checked()
    autoplay = page.get_by_role("checkbox", name="Play the next answer when one ends")
    expect(autoplay).not_to_be_checked()

    radio(page, "On").focus()
    page.keyboard.press("ArrowRight")  # Off
    page.keyboard.press("Tab")  # to the speeds, on the chosen one
    expect(radio(page, "1×")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # 1.5×
    page.keyboard.press("Tab")
    expect(autoplay).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("checkbox", name="Review candidates blind")).to_be_focused()
    page.keyboard.press("Tab")
    digest = page.get_by_role("checkbox", name="A daily digest of the jobs I follow")
    expect(page.get_by_role("checkbox", name="Email me when I am mentioned")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(digest).to_be_focused()
    page.keyboard.press("Space")  # off
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save preferences")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("Preferences saved.")
    page.reload()
    expect(radio(page, "Off")).to_be_checked()
    expect(radio(page, "1.5×")).to_be_checked()
    expect(autoplay).to_be_checked()
    expect(digest).not_to_be_checked()
    expect(page.locator("body")).to_have_attribute("data-shortcuts", "off")
    expect(page.locator("body")).to_have_attribute("data-playback-speed", "1.5")
    expect(page.locator("body")).to_have_attribute("data-autoplay", "on")
    prefs = MemberPreferences.objects.get(user=crew.alice)
    assert (prefs.shortcuts, prefs.playback_speed, prefs.autoplay) == (False, "1.5", True)
    assert (prefs.email_mentions, prefs.email_digest) == (True, False)
    assert not MemberPreferences.objects.filter(user=crew.multi).exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_preferences_page_is_accessible_at_every_width(page, log_in, crew, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in("alice")
    page.goto(PAGE)
    expect(page.get_by_role("group", name="Default playback speed")).to_be_visible()
    no_sideways_scroll(page, width)
    assert serious_violations(page) == []

    radio(page, "2×").check()
    page.get_by_role("button", name="Save preferences").click()

    expect(page.get_by_role("status")).to_have_text("Preferences saved.")
    no_sideways_scroll(page, width)
    assert serious_violations(page) == []


def first_candidate_focused(page) -> bool:
    return page.evaluate("document.activeElement.matches('[data-candidate-link]')")


def test_shortcuts_turned_off_in_the_dialog_stay_off_for_the_member(
    page,
    log_in,
    northwind,  # noqa: F811
):
    team, job = northwind
    log_in("rachel")
    job_page = f"/teams/{team.slug}/jobs/{job.key}/"
    page.goto(job_page)
    page.keyboard.press("j")
    expect(page.locator("[data-candidate-link]").first).to_be_focused()  # on: j moves

    page.get_by_role("button", name="Shortcuts").click()
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.get_by_role("checkbox", name="Use keyboard shortcuts").uncheck()
    expect(page.locator("body")).to_have_attribute("data-shortcuts", "off")
    dialog.get_by_role("button", name="Close").click()
    page.reload()
    page.locator("#main").focus()
    page.keyboard.press("j")
    page.keyboard.press("?")

    expect(dialog).not_to_be_visible()
    assert not first_candidate_focused(page)
    assert MemberPreferences.objects.get(user__username="rachel").shortcuts is False
    page.goto(PAGE)  # the same preference as the page's
    expect(radio(page, "Off")).to_be_checked()
    page.goto(job_page)
    page.get_by_role("button", name="Shortcuts").click()
    dialog.get_by_role("checkbox", name="Use keyboard shortcuts").check()
    expect(page.locator("body")).to_have_attribute("data-shortcuts", "on")
    dialog.get_by_role("button", name="Close").click()
    page.locator("#main").focus()
    page.keyboard.press("j")
    expect(page.locator("[data-candidate-link]").first).to_be_focused()


def test_a_switch_the_server_did_not_keep_is_put_back_and_said(page, log_in, crew):
    log_in("alice")
    page.goto("/teams/")
    page.route("**/accounts/preferences/shortcuts/", lambda route: route.fulfill(status=500))
    page.get_by_role("button", name="Shortcuts").click()
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    use = dialog.get_by_role("checkbox", name="Use keyboard shortcuts")

    use.click()  # unticks it, and the answer puts the tick back

    expect(dialog.get_by_role("alert")).to_contain_text("shortcuts are still on")
    expect(use).to_be_checked()
    expect(page.locator("body")).to_have_attribute("data-shortcuts", "on")
    assert not MemberPreferences.objects.filter(user=crew.alice).exists()
    assert serious_violations(page) == []
