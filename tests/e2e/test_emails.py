"""Emails to candidates in the browser: a team admin writes a rejection template (an
unknown placeholder is a form error; the preview greets a real candidate), rejects a
candidate, takes the email the notice offers, and finds it in the Outbox, sent once the
decision reached Willo, with the words that went."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from dashboard.models import Membership, OutboundEmail
from tests.e2e.conftest import password_of
from tests.e2e.test_decisions import WIDTHS, completed, no_sideways_scroll
from tests.e2e.test_recruiter_flow import (  # noqa: F401 - northwind is a fixture
    northwind,
    send_due_decisions,
    serious_violations,
)
from willo_integration.services.outbox import outbox_drain

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ada(northwind):  # noqa: F811
    """A team admin of Northwind."""
    team, _job = northwind
    user = get_user_model().objects.create_user(
        username="ada", password=password_of("ada"), email="ada@example.com", first_name="Ada"
    )
    Membership.objects.create(user=user, team=team, role=Membership.Role.ADMIN)
    return user


@pytest.mark.parametrize("width", WIDTHS)
def test_a_rejection_email_written_offered_queued_and_sent(
    page,
    log_in,
    northwind,  # noqa: F811
    ada,
    width,
    screenshot,
):
    team, job = northwind
    candidate = completed(team, job)
    first_name = candidate.name.split()[0]
    page.set_viewport_size({"width": width, "height": 900})
    log_in("ada")

    page.goto(f"/teams/{team.slug}/emails/")
    expect(page.get_by_role("heading", name="Emails to candidates")).to_be_visible()
    page.get_by_role("link", name="New rejection template").click()
    page.get_by_label("Name", exact=True).fill("Kind no")
    page.get_by_label("Subject").fill("Your application for {job_title}")
    page.get_by_label("Body").fill("Dear {first_name},\n\nNot this time.\n\n{recruiter_name}")
    page.get_by_role("button", name="Save the template").click()
    expect(page.get_by_text("Unknown placeholder {first_name}")).to_be_visible()
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)

    page.get_by_label("Body").fill(
        "Dear {candidate_first_name},\n\nNot this time.\n\n{recruiter_name}"
    )
    page.get_by_label("For").select_option(candidate.key)
    expect(page.locator("#preview")).to_contain_text(f"Dear {first_name},")
    expect(page.locator("#preview")).to_contain_text(f"Your application for {job.title}")
    screenshot(f"email-template-{width}")
    page.get_by_role("button", name="Save the template").click()
    expect(page.get_by_text("Template “Kind no” saved.")).to_be_visible()

    page.goto(f"/teams/{team.slug}/candidates/{candidate.key}/")
    page.locator("#decision").get_by_role("button", name="Reject").click()
    notice = page.locator("#decision-notice")
    expect(notice).to_contain_text("Email the rejection “Kind no” to")
    notice.get_by_label("Email the rejection").select_option("0")
    notice.get_by_role("button", name="Queue the email").click()
    expect(notice).to_contain_text(f"Rejection email to {candidate.name} queued")
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)

    page.goto(f"/teams/{team.slug}/outbox/")
    row = page.locator("tr", has_text=candidate.name)
    expect(row).to_contain_text("Waiting for the decision to reach Willo")
    assert mail.outbox == []

    send_due_decisions()  # the undo window passes: Willo (the sandbox) has the rejection
    outbox_drain()
    outbox_drain()  # beat's next run: the email's time has come

    page.reload()
    expect(page.locator("tr", has_text=candidate.name)).to_contain_text("Sent")
    assert serious_violations(page) == []
    no_sideways_scroll(page, width)
    screenshot(f"outbox-{width}")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.startswith(f"Dear {first_name},")
    assert OutboundEmail.objects.get().state == OutboundEmail.State.SENT

    page.locator("tr", has_text=candidate.name).get_by_role("link", name="Rejection").click()
    expect(page.get_by_role("heading", name="What it says")).to_be_visible()
    expect(page.locator(".email-preview")).to_contain_text("Not this time.")
    page.goto(f"/teams/{team.slug}/candidates/{candidate.key}/")
    expect(page.locator("#timeline")).to_contain_text("was sent by this dashboard")
