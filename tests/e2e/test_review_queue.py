"""Review mode as a recruiter walks it: the queue, one key per candidate, the next one shown
by itself without a page load, Undo instead of a dialog, and every key of the players,
also while an audio or video player has focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.models import Decision, MemberPreferences, Review
from dashboard.presenters.participants import answer_views, questions_of
from tests.e2e.test_decisions import WIDTHS, no_sideways_scroll
from tests.e2e.test_recruiter_flow import (  # noqa: F401 - northwind is a fixture
    northwind,
    serious_violations,
)
from willo_integration.models import CachedParticipant

pytestmark = pytest.mark.django_db(transaction=True)

LOADED = "() => window.__sameDocument = true"
SAME_DOCUMENT = "() => window.__sameDocument === true"


@pytest.fixture
def long_window(settings):
    settings.WILLO_DECISION_UNDO_SECONDS = 60


def waiting(team):
    """The team's queue for a member who has reviewed nothing: every responded candidate."""
    return list(
        CachedParticipant.objects.filter(team=team, status="Completed")
        .order_by("responded_at", "pk")
        .values_list("name", flat=True)
    )


def name(page):
    return page.locator("[data-candidate-name]")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_queue_takes_one_key_per_candidate(
    page,
    log_in,
    northwind,  # noqa: F811
    long_window,
    width,
    screenshot,
):
    team, _job = northwind
    names = waiting(team)
    assert len(names) >= 3
    page.set_viewport_size({"width": width, "height": 800})
    log_in("rachel")

    page.goto(f"/teams/{team.slug}/review/")
    expect(page.locator("#queue-title")).to_have_text(f"{len(names)} left")
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)

    page.keyboard.press("j")  # Start reviewing
    expect(name(page)).to_have_text(names[0])
    expect(page.locator("#review-mode article.answer").first).to_be_visible()
    bar = page.locator(".review-bar")
    expect(bar).to_be_in_viewport()  # the bar stays in view, on a phone too
    screenshot(f"review-mode-{width}")
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)
    page.evaluate(LOADED)

    # y: my Yes, and the next candidate at once, in the same document (prefetched).
    page.keyboard.press("y")
    expect(name(page)).to_have_text(names[1])
    assert page.evaluate(SAME_DOCUMENT)
    assert Review.objects.get(participant_key__isnull=False).recommendation == "yes"
    page.mouse.wheel(0, 2000)
    expect(bar).to_be_in_viewport()

    # a: accepted after the undo window, on to the next; u undoes it there, no dialog.
    page.keyboard.press("a")
    expect(name(page)).to_have_text(names[2])
    expect(page.locator("#decision-notice")).to_contain_text(f"{names[1]} will be accepted in")
    expect(page.locator("#confirm-dialog")).not_to_be_visible()
    page.keyboard.press("u")
    expect(page.locator("#decision-notice")).to_contain_text("undone by rachel")
    assert Decision.objects.get().state == Decision.State.UNDONE

    # k: back to the one just decided (undone, so waiting again); the URL follows.
    page.keyboard.press("k")
    expect(name(page)).to_have_text(names[1])
    assert f"/review/{CachedParticipant.objects.get(name=names[1], team=team).key}/" in page.url
    assert page.evaluate(SAME_DOCUMENT)
    page.go_back()
    expect(name(page)).to_have_text(names[2])

    page.goto(f"/teams/{team.slug}/review/")
    expect(page.locator("#queue-title")).to_have_text(f"{len(names) - 1} left")


def kinds_of(candidate: CachedParticipant) -> list[str]:
    return [a.kind for a in answer_views(candidate.participant(), questions_of(candidate))]


def media_candidate(team, kind: str, *, at_least: int = 1) -> CachedParticipant:
    """A responded candidate with ``kind`` media answers (and at least two answers)."""
    for candidate in CachedParticipant.objects.filter(team=team, status="Completed"):
        kinds = kinds_of(candidate)
        media = sum(k in ("video", "audio") for k in kinds)
        if kind in kinds and len(kinds) >= 2 and media >= at_least:
            return candidate
    pytest.skip(f"the sandbox seeded no responded candidate with {kind} answers")


def player_state(player) -> dict:
    return player.evaluate(
        "p => ({paused: p.paused, time: p.currentTime, rate: p.playbackRate, duration: p.duration})"
    )


def ready(player) -> None:
    player.evaluate(
        """p => new Promise(resolve => {
            if (p.readyState >= 1) return resolve();
            p.addEventListener('loadedmetadata', () => resolve(), {once: true});
            p.load();
        })"""
    )


@pytest.mark.parametrize("kind", ["video", "audio"])
def test_every_key_works_while_a_player_has_focus(
    page,
    log_in,
    northwind,  # noqa: F811
    kind,
):
    team, _job = northwind
    candidate = media_candidate(team, kind)
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/review/{candidate.key}/")
    player = page.locator(f"#review-mode {kind}.player").first
    ready(player)
    player.focus()

    page.keyboard.press(" ")
    page.wait_for_timeout(300)
    assert player_state(player)["paused"] is False
    page.keyboard.press(" ")
    assert player_state(player)["paused"] is True

    player.evaluate("p => { p.currentTime = 1; }")
    page.keyboard.press("ArrowLeft")
    assert player_state(player)["time"] == 0
    page.keyboard.press("ArrowRight")
    state = player_state(player)
    assert state["time"] == pytest.approx(min(10, state["duration"]), abs=0.5)

    page.keyboard.press("s")  # 1x -> 1.25x, remembered for me
    assert player_state(player)["rate"] == 1.25
    expect(page.locator("[data-speed='1.25']")).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(300)
    assert MemberPreferences.objects.get().playback_speed == "1.25"

    page.keyboard.press("2")  # question 2, its answer focused
    second = page.locator("#review-mode article.answer").nth(1)
    expect(second).to_be_focused()

    player.focus()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    player.focus()
    page.keyboard.press("Shift+N")  # Strong no, while the player has focus
    expect(name(page)).not_to_have_text(candidate.name)  # on to the next by itself
    review = Review.objects.get(participant_key=candidate.key)
    assert review.recommendation == "strong_no"

    # The speed is the member's: the next page's players start at it.
    page.goto(f"/teams/{team.slug}/review/{candidate.key}/")
    player = page.locator(f"#review-mode {kind}.player").first
    ready(player)
    assert player_state(player)["rate"] == 1.25
    expect(page.locator("[data-speed='1.25']")).to_have_attribute("aria-pressed", "true")


def test_autoplay_plays_the_next_answer_when_one_ends(
    page,
    log_in,
    northwind,  # noqa: F811
):
    team, _job = northwind
    candidate = media_candidate(team, "video", at_least=2)
    rachel = candidate.team.memberships.get().user
    MemberPreferences.objects.create(user=rachel, autoplay=True)
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/review/{candidate.key}/")
    players = page.locator("#review-mode .player")
    first, second = players.nth(0), players.nth(1)
    ready(first)
    ready(second)

    first.evaluate("p => { p.currentTime = Math.max(0, p.duration - 0.3); return p.play(); }")

    expect(second).to_have_js_property("paused", False)


def test_shortcuts_turned_off_leave_the_keys_alone(
    page,
    log_in,
    northwind,  # noqa: F811
):
    team, _job = northwind
    names = waiting(team)
    rachel = team.memberships.get().user
    MemberPreferences.objects.create(user=rachel, shortcuts=False)
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/review/?start=1")
    expect(name(page)).to_have_text(names[0])

    page.keyboard.press("y")
    page.keyboard.press("j")
    page.wait_for_timeout(500)

    expect(name(page)).to_have_text(names[0])
    assert not Review.objects.exists()
    # The buttons still work.
    page.locator("#review-recommendation").get_by_role("button", name="Yes").first.click()
    expect(name(page)).to_have_text(names[1])
