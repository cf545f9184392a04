"""A recruiter's day against the sandbox: jobs, filter, candidate, media, decide, keyboard, a11y."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from dashboard.models import Decision, Membership
from tests.e2e.conftest import password_of, sandbox_owner_team
from willo_integration.models import CachedInterview, CachedParticipant
from willo_integration.services.decisions import decisions_sweep

pytestmark = pytest.mark.django_db(transaction=True)


def send_due_decisions() -> None:
    """As if the undo window had passed and beat's sweep ran: decisions go to the sandbox."""
    Decision.objects.filter(state=Decision.State.PENDING).update(next_attempt_at=timezone.now())
    decisions_sweep()


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def northwind(live_server, settings):
    """A sandbox team whose cache holds one job with its candidates, and a recruiter in it."""
    from willo_integration.services.refresh import interview_refresh, interviews_refresh
    from willo_integration.services.scope import Scope

    team = sandbox_owner_team(live_server, settings, "Northwind Hiring")
    user = get_user_model().objects.create_user(
        username="rachel", password=password_of("rachel"), email="rachel@example.com"
    )
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    scope = Scope(team=team)
    interviews_refresh(scope=scope)
    counts = {}
    for job in CachedInterview.objects.filter(team=team):
        counts[job.key] = interview_refresh(scope=scope, key=job.key)
    job = max(
        CachedInterview.objects.filter(team=team),
        key=lambda j: j.participants.filter(status="Completed").count(),
    )
    assert job.participants.filter(status="Completed").count() >= 2, counts
    return team, job


def test_a_recruiter_reviews_and_decides(page, log_in, northwind, screenshot):
    team, job = northwind
    log_in("rachel")

    page.goto(f"/teams/{team.slug}/jobs/")
    expect(page.get_by_role("heading", name="Jobs", exact=True)).to_be_visible()
    expect(page.get_by_text("Data from Willo as of")).to_be_visible()
    screenshot("jobs-list")
    assert serious_violations(page) == []

    page.get_by_role("link", name=job.title, exact=True).click()
    expect(page.get_by_role("heading", name=job.title, level=1)).to_be_visible()
    screenshot("job-page")
    assert serious_violations(page) == []

    page.get_by_label("Status", exact=True).select_option("Completed")
    page.wait_for_url(re.compile(r"status=Completed"))
    completed = job.participants.filter(status="Completed").count()
    expect(page.locator("#results-title")).to_have_text(f"{completed} candidates")
    expect(page.locator("tr[data-candidate-row] .badge", has_text="Accepted")).to_have_count(0)

    page.locator("a[data-candidate-link]").first.click()
    page.wait_for_url(re.compile(r"/candidates/[^/]+/\?status=Completed"))
    key = page.url.split("/candidates/")[1].split("/")[0]
    candidate = CachedParticipant.objects.get(team=team, key=key)
    expect(page.get_by_role("heading", name=candidate.name, level=1)).to_be_visible()
    transcript = page.locator("details.transcript").first
    expect(transcript).to_contain_text("Transcript")
    expect(transcript).to_contain_text("confidence")
    expect(transcript.locator(".transcript__text")).not_to_be_empty()
    expect(page.locator("#identity-title")).to_contain_text("Identity check:")
    expect(page.locator("#identity")).to_contain_text("Biometric consent")
    screenshot("candidate-page")
    assert serious_violations(page) == []

    video = page.locator("video").first
    expect(video).to_have_attribute("preload", re.compile("none|metadata"))
    can_play = video.evaluate(
        "v => v.canPlayType(v.src.endsWith('.webm') ? 'video/webm' : 'video/mp4')"
    )
    assert can_play in ("maybe", "probably")
    ready = video.evaluate(
        """v => new Promise(resolve => {
            if (v.readyState >= 1) return resolve(v.readyState);
            v.addEventListener('loadedmetadata', () => resolve(v.readyState), {once: true});
            v.addEventListener('error', () => resolve(-1), {once: true});
            v.load();
        })"""
    )
    assert ready >= 1

    # A candidate who responded: no dialog; the decision waits for Undo, then a task sends it.
    page.keyboard.press("a")
    expect(page.locator("#decision-notice")).to_contain_text(
        f"{candidate.name} will be accepted in"
    )
    expect(page.locator("#confirm-dialog")).not_to_be_visible()
    send_due_decisions()
    expect(page.locator("#decision [data-status]")).to_have_text("Accepted", timeout=10_000)
    expect(page.locator("#decision")).to_contain_text("Accepted in Willo by rachel")
    page.reload()
    expect(page.locator("#decision [data-status]")).to_have_text("Accepted")
    expect(page.locator("#candidate-status")).to_have_text("Accepted")


def test_the_keyboard_moves_between_candidates(page, log_in, northwind):
    team, job = northwind
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/jobs/{job.key}/?ordering=name")
    first = page.locator("a[data-candidate-link]").first
    first.click()
    page.wait_for_url(re.compile(r"/candidates/"))
    start = page.url

    page.keyboard.press("j")
    page.wait_for_url(lambda url: url != start)
    assert "ordering=name" in page.url
    page.keyboard.press("k")
    page.wait_for_url(start)

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-dialog")).not_to_be_visible()

    page.goto(f"/teams/{team.slug}/jobs/{job.key}/")
    page.get_by_label("Name or email").focus()
    page.keyboard.type("j?")
    expect(page.locator("#shortcuts-dialog")).not_to_be_visible()


def test_a_recruiter_rejects_two_at_once(page, log_in, northwind, screenshot):
    team, job = northwind
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/jobs/{job.key}/?status=Completed&ordering=name")
    rows = page.locator("tr[data-candidate-row]")
    names = [rows.nth(i).locator("a[data-candidate-link]").inner_text() for i in range(2)]
    rows.nth(0).locator("input[data-pick]").check()
    rows.nth(1).locator("input[data-pick]").check()
    expect(page.locator("#bulk-count")).to_have_text("2 selected")

    page.get_by_role("button", name="Reject selected").click()
    page.get_by_role("dialog").get_by_role("button", name="Reject 2 candidates").click()

    expect(page.locator("#decision-notice")).to_contain_text("2 candidates will be rejected in")
    send_due_decisions()
    expect(page.locator("#decision-notice")).to_contain_text(
        "Rejection of 2 candidates: 2 sent to Willo", timeout=10_000
    )
    page.goto(f"/teams/{team.slug}/jobs/{job.key}/?status=Rejected&ordering=name")
    for name in names:
        expect(page.get_by_role("link", name=name, exact=True).first).to_be_visible()
    screenshot("job-page-after-bulk-reject")


def test_a_recruiter_accepts_from_the_table(page, log_in, northwind):
    team, job = northwind
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/jobs/{job.key}/?status=Completed&ordering=name")
    row = page.locator("tr[data-candidate-row]").first
    name = row.locator("a[data-candidate-link]").inner_text()

    row.get_by_role("button", name=f"Accept {name}").click()

    expect(row.locator(".decision-state")).to_contain_text("Accepting in")
    assert "/decision/" not in page.url  # swapped in place, not navigated
    send_due_decisions()
    # The live refresh: Willo has it now, so the candidate leaves the "Completed" table.
    expect(page.locator("tr[data-candidate-row]", has_text=name)).to_have_count(0, timeout=10_000)
