"""Decisions as a recruiter meets them: Undo in the window (and Willo never hears of it),
asking first only for what is big or unusual, and a notice that outlasts the live refresh.

The sandbox is Willo here; decisions are sent as beat sends them, by the sweep, called from
the test once their window has passed.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.models import Decision
from tests.e2e.test_recruiter_flow import (  # noqa: F401 - northwind is a fixture
    northwind,
    send_due_decisions,
    serious_violations,
)
from willo_integration.models import CachedParticipant
from willo_integration.sandbox.models import Participant as SandboxParticipant

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [1280, 390]
LIVE = 10_000  # ms: a live refresh polls every 2 s


@pytest.fixture
def long_window(settings):
    """Time enough to press Undo whatever the machine's speed."""
    settings.WILLO_DECISION_UNDO_SECONDS = 60


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def completed(team, job) -> CachedParticipant:
    return CachedParticipant.objects.filter(team=team, interview=job, status="Completed").first()


@pytest.mark.parametrize("width", WIDTHS)
def test_undo_within_the_window_and_willo_never_hears_of_it(
    page,
    log_in,
    northwind,  # noqa: F811
    long_window,
    width,
):
    team, job = northwind
    candidate = completed(team, job)
    page.set_viewport_size({"width": width, "height": 900})
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/candidates/{candidate.key}/")

    page.locator("#decision").get_by_role("button", name="Accept").click()

    expect(page.locator("#confirm-dialog")).not_to_be_visible()  # responded: Undo, no dialog
    notice = page.locator("#decision-notice")
    expect(notice).to_contain_text(f"{candidate.name} will be accepted in")
    counter = notice.locator("[data-countdown]")
    first = counter.inner_text()
    expect(counter).not_to_have_text(first)  # it counts down by itself
    expect(page.locator("#decision")).to_contain_text(f"{candidate.name} will be accepted in")
    no_sideways_scroll(page, width)
    assert serious_violations(page) == []

    page.locator("#decision").get_by_role("button", name="Undo").click()

    undone = "Acceptance undone by rachel: Willo never heard of it"
    expect(page.locator("#decision .decision__state")).to_contain_text(undone)
    expect(notice).to_contain_text(undone)
    send_due_decisions()
    assert Decision.objects.get().state == Decision.State.UNDONE
    assert SandboxParticipant.objects.get(key=candidate.key).status == "Completed"
    expect(page.locator("#decision [data-status]")).to_have_text("Completed")
    assert serious_violations(page) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_bulk_decision_asks_first_with_a_red_default_button(
    page,
    log_in,
    northwind,  # noqa: F811
    long_window,
    width,
):
    team, job = northwind
    page.set_viewport_size({"width": width, "height": 900})
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/jobs/{job.key}/?ordering=name")
    rows = page.locator("tr[data-candidate-row]")
    for i in range(3):
        rows.nth(i).locator("input[data-pick]").check()
    expect(page.locator("#bulk-count")).to_have_text("3 selected")
    dialog = page.get_by_role("dialog")

    page.get_by_role("button", name="Reject selected").click()

    confirm = dialog.get_by_role("button", name="Reject 3 candidates")
    expect(confirm).to_be_focused()  # the default: Enter confirms
    expect(confirm).to_have_class("button button--reject")
    assert confirm.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(138, 20, 20)"
    expect(dialog).to_contain_text("You can undo it for 60 seconds")
    expect(dialog).to_contain_text("Only the status goes to Willo")
    assert serious_violations(page) == []

    page.keyboard.press("Escape")

    expect(dialog).not_to_be_visible()
    expect(page.locator("#bulk-count")).to_have_text("3 selected")  # nothing was posted
    assert not Decision.objects.exists()

    page.get_by_role("button", name="Reject selected").click()
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")

    notice = page.locator("#decision-notice")
    expect(notice).to_contain_text("3 candidates will be rejected in")
    expect(notice.get_by_role("button", name="Undo all 3")).to_be_visible()
    assert Decision.objects.filter(status="Rejected").count() == 3
    no_sideways_scroll(page, width)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(page.locator("#bulk-form")).to_be_in_viewport()  # the bulk bar stays in view

    notice.get_by_role("button", name="Undo all 3").click()

    expect(notice).to_contain_text("3 rejections undone: Willo never heard of them.")
    assert set(Decision.objects.values_list("state", flat=True)) == {Decision.State.UNDONE}


@pytest.mark.parametrize("width", WIDTHS)
def test_only_a_candidate_who_has_not_responded_is_asked_about(
    page,
    log_in,
    northwind,  # noqa: F811
    long_window,
    width,
):
    team, job = northwind
    waiting = CachedParticipant.objects.filter(
        team=team, status__in=CachedParticipant.NOT_RESPONDED
    ).first()
    assert waiting is not None, "the sandbox seed has a candidate who has not responded"
    page.set_viewport_size({"width": width, "height": 900})
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/candidates/{waiting.key}/")
    dialog = page.get_by_role("dialog")

    page.keyboard.press("r")

    confirm = dialog.get_by_role("button", name=f"Reject {waiting.name}")
    expect(confirm).to_be_focused()
    expect(dialog).to_contain_text(f"{waiting.name} has not responded yet ({waiting.status}).")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).not_to_be_visible()
    assert not Decision.objects.exists()

    page.goto(f"/teams/{team.slug}/jobs/{waiting.interview_key}/?ordering=name")
    page.get_by_role("button", name=f"Accept {waiting.name}").click()
    expect(dialog.get_by_role("button", name=f"Accept {waiting.name}")).to_be_focused()
    page.keyboard.press("Enter")
    row = page.locator(f"#row-{waiting.key}")
    expect(row.locator(".decision-state")).to_contain_text("Accepting in")
    assert Decision.objects.get().participant_key == waiting.key
    row.get_by_role("button", name="Undo").click()
    expect(row.locator(".decision-state")).to_have_text("Acceptance undone")

    page.goto(f"/teams/{team.slug}/candidates/{completed(team, job).key}/")
    page.keyboard.press("r")

    expect(page.locator("#decision-notice")).to_contain_text("will be rejected in")
    expect(page.locator("#confirm-dialog")).not_to_be_visible()
    assert Decision.objects.get(state=Decision.State.PENDING).status == "Rejected"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_notice_stays_through_the_live_refresh_until_dismissed(
    page,
    log_in,
    northwind,  # noqa: F811
    long_window,
    width,
):
    team, job = northwind
    page.set_viewport_size({"width": width, "height": 900})
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/jobs/{job.key}/?ordering=name")
    first_completed = page.locator("tr[data-candidate-row]:has(.status--completed)").first
    row = page.locator(f"#{first_completed.get_attribute('id')}")  # the same row, whatever it says
    name = row.locator("a[data-candidate-link]").inner_text()
    other = page.locator("tr[data-candidate-row]").filter(has_not_text=name).first
    other.locator("input[data-pick]").check()

    row.get_by_role("button", name=f"Accept {name}").click()

    notice = page.locator("#decision-notice")
    expect(notice).to_contain_text(f"{name} will be accepted in")
    expect(row.locator(".decision-state")).to_contain_text("Accepting in")
    send_due_decisions()
    # The live refresh: the row's badge says Willo has it, the notice too, and the
    # selection is kept.
    expect(row.locator(".decision-state")).to_have_text("Accepted in Willo", timeout=LIVE)
    expect(row.locator(".status--accepted")).to_have_text("Accepted")
    expect(notice).to_contain_text("Accepted in Willo by rachel", timeout=LIVE)
    expect(page.locator("#bulk-count")).to_have_text("1 selected")
    expect(page.locator("#decision-notices")).to_have_attribute("role", "status")
    no_sideways_scroll(page, width)
    assert serious_violations(page) == []

    notice.get_by_role("button", name="Dismiss").click()

    expect(notice).to_have_count(0)


def test_keyboard_shortcuts_can_be_turned_off_and_on_again(
    page,
    log_in,
    northwind,  # noqa: F811
    long_window,
):
    team, job = northwind
    candidate = completed(team, job)
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/candidates/{candidate.key}/")
    page.get_by_role("button", name="Shortcuts").click()
    dialog = page.locator("#shortcuts-dialog")
    use = dialog.get_by_role("checkbox", name="Use keyboard shortcuts")
    expect(use).to_be_checked()

    use.uncheck()
    expect(page.locator("body")).to_have_attribute("data-shortcuts", "off")
    dialog.get_by_role("button", name="Close").click()
    page.reload()  # the choice is kept for the member
    page.keyboard.press("r")
    page.keyboard.press("?")

    expect(dialog).not_to_be_visible()
    expect(page.get_by_text("will be rejected in")).to_have_count(0)
    page.get_by_role("button", name="Shortcuts").click()
    expect(use).not_to_be_checked()
    assert serious_violations(page) == []

    use.check()
    expect(page.locator("body")).to_have_attribute("data-shortcuts", "on")
    dialog.get_by_role("button", name="Close").click()
    page.keyboard.press("r")
    expect(page.locator("#decision-notice")).to_contain_text("will be rejected in")
    assert Decision.objects.count() == 1  # the "r" pressed while they were off did nothing
