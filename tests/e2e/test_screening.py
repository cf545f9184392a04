"""Screening in the browser: from a job whose multiple-choice question marks its correct
option, a recruiter previews the candidates who answered it wrong, with their answers, is
refused until they confirm, then rejects them through the usual decision (Undo on the
job's page) and Willo (the sandbox) gets the rejections once their window passes."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from dashboard.models import Decision, Membership
from tests.e2e.conftest import password_of, sandbox_owner_team
from tests.e2e.test_decisions import WIDTHS, no_sideways_scroll
from tests.e2e.test_recruiter_flow import send_due_decisions, serious_violations
from willo_integration.models import CachedInterview
from willo_integration.sandbox.models import Participant as SandboxParticipant
from willo_integration.services.interviews import interview_get
from willo_integration.services.participants import participant_get
from willo_integration.services.refresh import interview_refresh, interviews_refresh
from willo_integration.services.scope import Scope
from willo_integration.services.screening import interview_screen, interview_screenable_questions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def screenable(live_server, settings):
    """A sandbox team, a recruiter in it, and a job with a question marking its correct
    option, whose responded candidates' answers are fetched: some answered it wrong."""
    team = sandbox_owner_team(live_server, settings, "Northwind Screening", participants=60)
    user = get_user_model().objects.create_user(
        username="rachel", password=password_of("rachel"), email="rachel@example.com"
    )
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    scope = Scope(team=team)
    interviews_refresh(scope=scope)
    for listed in CachedInterview.objects.filter(team=team):
        job, _freshness = interview_get(scope=scope, key=listed.key)  # with its questions
        if not interview_screenable_questions(interview=job):
            continue
        interview_refresh(scope=scope, key=job.key)
        for participant in job.participants.exclude(responded_at=None):
            participant_get(scope=scope, key=participant.key)
        if interview_screen(scope=scope, interview=job, min_wrong=1).matching:
            return team, job
    pytest.fail("no seeded job has a candidate with a wrong answer to screen")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_recruiter_screens_by_correct_answers_and_rejects_after_confirming(
    page, log_in, screenable, width, screenshot
):
    team, job = screenable
    matching = interview_screen(scope=Scope(team=team), interview=job, min_wrong=1).matching
    page.set_viewport_size({"width": width, "height": 900})
    log_in("rachel")

    page.goto(f"/teams/{team.slug}/jobs/{job.key}/")
    page.get_by_role("link", name="Screen by correct answers").click()
    expect(page.get_by_role("heading", name="Screen by correct answers")).to_be_visible()
    page.get_by_label("Wrong answers, at least").fill("1")
    page.get_by_role("button", name="Preview").click()
    heading = f"{len(matching)} candidate"
    expect(page.get_by_role("heading", name=heading, exact=False).first).to_be_visible()
    expect(page.get_by_text("correct:").first).to_be_visible()
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)
    screenshot(f"screen-{width}")

    reject = page.get_by_role("button", name=f"Reject these {len(matching)}")
    reject.click()  # not confirmed yet: refused, nothing rejected
    assert not Decision.objects.exists()
    page.get_by_label("I have checked these").check()
    page.get_by_role("button", name=f"Reject these {len(matching)}").click()

    expect(page.get_by_role("heading", name=job.title, level=1)).to_be_visible()
    expect(page.get_by_text(f"{len(matching)} candidates will be rejected in")).to_be_visible()
    rejected = {d.participant_key for d in Decision.objects.filter(status="Rejected")}
    assert rejected == {m.participant.key for m in matching}
    send_due_decisions()
    statuses = set(
        SandboxParticipant.objects.filter(key__in=rejected).values_list("status", flat=True)
    )
    assert statuses == {"Rejected"}
