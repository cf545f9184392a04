"""A webhook reaches an open page without a reload, keeping the filter and the selection."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_recruiter_flow import northwind  # noqa: F401 - a fixture
from willo_integration.sandbox import knobs, simulate
from willo_integration.sandbox.models import Interview as SandboxInterview
from willo_integration.sandbox.models import Participant as SandboxParticipant
from willo_integration.services.scope import Scope
from willo_integration.services.webhooks import webhook_register

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_response_appears_on_the_open_job_page(page, log_in, northwind, live_server):  # noqa: F811
    team, job = northwind
    webhook_register(scope=Scope(team=team), public_url=live_server.url)
    interview = SandboxInterview.objects.get(key=job.key)
    invited = SandboxParticipant.objects.filter(
        organisation=interview.organisation, status="Invited"
    ).first()
    invited.interview = interview  # a newcomer to this job
    invited.save()
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/jobs/{job.key}/?status=Completed&ordering=name")
    rows = page.locator("tr[data-candidate-row]")
    before = rows.count()
    first_pick = rows.first.locator("input[data-pick]")
    first_pick.check()
    expect(page.locator("#bulk-count")).to_have_text("1 selected")

    with knobs.override(webhook_mode="sync"):
        simulate.respond(invited, random.Random(5), base=live_server.url)

    expect(page.get_by_role("link", name=invited.name, exact=True).first).to_be_visible(
        timeout=5_000
    )
    expect(rows).to_have_count(before + 1)
    assert re.search(r"status=Completed", page.url)
    expect(page.locator("#bulk-count")).to_have_text("1 selected")


def test_a_status_change_appears_on_the_open_candidate_page(page, log_in, northwind, live_server):  # noqa: F811
    team, job = northwind
    webhook_register(scope=Scope(team=team), public_url=live_server.url)
    candidate = SandboxParticipant.objects.filter(
        interview__key=job.key, status="Completed"
    ).first()
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/candidates/{candidate.key}/")
    expect(page.locator("#candidate-status")).to_have_text("Completed")

    with knobs.override(webhook_mode="sync"):
        candidate.status = "Rejected"
        candidate.status_changed_by = "someone@example.com"
        candidate.save()
        from willo_integration.sandbox import events

        events.status_changed(candidate, live_server.url)

    expect(page.locator("#candidate-status")).to_have_text("Rejected", timeout=5_000)
    expect(page.locator("#decision [data-status]")).to_have_text("Rejected")


def test_willos_comment_and_score_appear_on_the_open_candidate_page_at_390_px(
    page,
    log_in,
    northwind,  # noqa: F811
    live_server,
    screenshot,
):
    team, job = northwind
    webhook_register(scope=Scope(team=team), public_url=live_server.url)
    candidate = SandboxParticipant.objects.filter(
        interview__key=job.key, status="Completed"
    ).first()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/candidates/{candidate.key}/")
    section = page.locator("#willo-feedback")
    expect(section).to_contain_text("No comments or scores from Willo for this candidate.")

    with knobs.override(webhook_mode="sync"):
        comment = simulate.comment(candidate, random.Random(7))
        score = simulate.score(candidate, random.Random(8))

    expect(section.locator(".willo-comment__text")).to_have_text(comment.text, timeout=5_000)
    expect(section.locator(".willo-score__value")).to_have_text(str(score.general_score))
    expect(section).to_contain_text("since this team's webhooks were registered")
    screenshot("willo-feedback-390")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
