"""Emails to candidates from the recruiter's pages: a decision's notice offers the job's
email, queued in the Outbox until Willo has the decision, then sent after its delay; the
Outbox cancels, sends now and settles; team admins write templates (unknown placeholders
are form errors) with a preview; a job picks its template; a member corrects a first name;
sent emails reach the timeline; erasure and retention take them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dashboard.models import Decision, EmailTemplate, OutboundEmail
from tests.dashboard.test_decisions_views import decide, send_now, willo  # noqa: F401
from tests.dashboard.test_interviews_views import job_url, seed_job
from willo_integration.services.data_protection import candidate_erase, retention_apply
from willo_integration.services.email_templates import template_save
from willo_integration.services.outbox import outbox_drain

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("willo")]

State = OutboundEmail.State


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


@pytest.fixture
def rejection(world):
    return template_save(
        team=world.team_a,
        kind=EmailTemplate.Kind.REJECTION,
        name="Kind no",
        subject="Your application for {job_title}",
        body="Dear {candidate_first_name},\n\nNot this time.\n\n{recruiter_name}, {company_name}",
        is_default=True,
        actor=world.alice,
    )


def slug_url(name, world, **kwargs):
    return reverse(name, kwargs={"slug": world.team_a.slug, **kwargs})


def queue_email(client, world, decision, hours="24"):
    return client.post(
        slug_url("dashboard:decisions_email", world),
        {"decision_id": [decision.pk], "delay_hours": hours},
        HTTP_HX_REQUEST="true",
    )


def drain_due():
    """Beat's drain, with every queued email's time come."""
    OutboundEmail.objects.filter(state=State.QUEUED).update(next_attempt_at=timezone.now())
    return outbox_drain()


# --- the notice offers the job's email ------------------------------------------------------


def test_rejecting_offers_the_jobs_rejection_email_with_the_teams_delay(
    client, world, job, rejection
):
    client.force_login(world.rita)

    response = client.post(
        slug_url("dashboard:participant_decide", world, participant_key="p-ann"),
        {"status": "Rejected", "view": "notice"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "Email the rejection “Kind no” to" in html
    assert 'name="delay_hours"' in html
    assert '<option value="24" selected>24 h after Willo has the decision</option>' in html
    assert "The dashboard sends it, not Willo" in html


def test_a_bulk_rejection_offers_one_email_for_all_and_queues_each(client, world, job, rejection):
    client.force_login(world.rita)

    response = client.post(
        job_url(job, "dashboard:participants_decide_bulk"),
        {"keys": ["p-ann", "p-ben"], "status": "Rejected"},
        HTTP_HX_REQUEST="true",
    )

    assert "Email the rejection “Kind no” to 2 candidates:" in response.content.decode()
    decisions = list(Decision.objects.all())
    answer = client.post(
        slug_url("dashboard:decisions_email", world),
        {"decision_id": [d.pk for d in decisions], "delay_hours": "4"},
        HTTP_HX_REQUEST="true",
    )
    assert "Rejection email to 2 candidates queued: it goes 4 h after" in answer.content.decode()
    assert sorted(OutboundEmail.objects.values_list("participant_key", flat=True)) == [
        "p-ann",
        "p-ben",
    ]


def test_no_email_is_offered_without_a_template(client, world, job):
    client.force_login(world.rita)

    response = client.post(
        slug_url("dashboard:participant_decide", world, participant_key="p-ann"),
        {"status": "Rejected", "view": "notice"},
        HTTP_HX_REQUEST="true",
    )

    assert "Email the rejection" not in response.content.decode()


def test_a_queued_rejection_waits_for_willo_then_its_delay_then_goes_once(
    client, world, job, rejection
):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann", "Rejected")

    answer = queue_email(client, world, decision, hours="1")

    assert answer.status_code == 200
    assert "Rejection email to Ann Archer queued: it goes 1 h after Willo has the decision." in (
        answer.content.decode()
    )
    email = OutboundEmail.objects.get()
    assert email.state == State.WAITING  # Willo has not heard of the decision yet
    outbox_drain()
    assert mail.outbox == []

    send_now(decision)  # the undo window passes; the decision reaches Willo
    email.refresh_from_db()
    assert email.state == State.QUEUED
    decision.refresh_from_db()
    assert email.send_after == decision.sent_at + timedelta(hours=1)
    outbox_drain()
    assert mail.outbox == []  # the hour has not passed

    drain_due()
    drain_due()

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["Ann Archer <p-ann@example.com>"]
    assert sent.subject == "Your application for Barista"
    assert sent.body.startswith("Dear Ann,")
    assert "{" not in sent.body
    assert sent.alternatives[0][1] == "text/html"
    email.refresh_from_db()
    assert email.state == State.SENT


def test_undoing_the_decision_cancels_its_email(client, world, job, rejection):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann", "Rejected")
    queue_email(client, world, decision)

    client.post(
        reverse(
            "dashboard:decision_undo",
            kwargs={"slug": world.team_a.slug, "decision_id": decision.pk},
        ),
        {"view": "notice"},
        HTTP_HX_REQUEST="true",
    )

    email = OutboundEmail.objects.get()
    assert email.state == State.CANCELLED
    assert email.last_error == "Its decision was undone."
    send_now(decision)
    drain_due()
    assert mail.outbox == []


def test_a_second_email_for_the_same_candidate_job_and_kind_is_refused(
    client, world, job, rejection
):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann", "Rejected")
    queue_email(client, world, decision)

    again = queue_email(client, world, decision)

    assert again.status_code == 409
    assert "already there" in again.content.decode()
    assert OutboundEmail.objects.count() == 1


def test_a_viewer_cannot_queue_an_email(client, world, job, rejection):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann", "Rejected")
    client.force_login(world.victor)

    assert queue_email(client, world, decision).status_code == 403
    assert not OutboundEmail.objects.exists()


def test_a_delay_out_of_range_is_refused_with_a_clear_message(client, world, job, rejection):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann", "Rejected")

    answer = queue_email(client, world, decision, hours="100")

    assert answer.status_code == 400
    assert "Choose when the email goes" in answer.content.decode()
    assert not OutboundEmail.objects.exists()


def test_another_teams_decision_gets_no_email(client, world, job, rejection):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann", "Rejected")
    client.force_login(world.bob)

    answer = client.post(
        reverse("dashboard:decisions_email", kwargs={"slug": world.team_b.slug}),
        {"decision_id": [decision.pk], "delay_hours": "0"},
        HTTP_HX_REQUEST="true",
    )

    assert answer.status_code == 404
    assert not OutboundEmail.objects.exists()


# --- the Outbox -------------------------------------------------------------------------


@pytest.fixture
def waiting(client, world, job, rejection):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann", "Rejected")
    queue_email(client, world, decision)
    send_now(decision)
    return OutboundEmail.objects.get()


def test_the_outbox_lists_what_waits_with_when_it_goes(client, world, waiting):
    page = client.get(slug_url("dashboard:outbox", world)).content.decode()

    assert "Ann Archer" in page
    assert "p-ann@example.com" in page
    assert "Queued" in page
    assert "Goes at" in page
    assert "Willo does not send them" in page


def test_cancel_in_the_outbox_stops_the_email(client, world, waiting):
    response = client.post(slug_url("dashboard:email_cancel", world, email_id=waiting.pk))

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == State.CANCELLED
    assert waiting.cancelled_by_username == "rita"
    drain_due()
    assert mail.outbox == []


def test_send_now_skips_the_delay(client, world, waiting):
    client.post(slug_url("dashboard:email_send_now", world, email_id=waiting.pk))
    outbox_drain()

    assert len(mail.outbox) == 1
    waiting.refresh_from_db()
    assert waiting.state == State.SENT


def test_a_sent_email_cannot_be_cancelled_and_says_why(client, world, waiting):
    client.post(slug_url("dashboard:email_send_now", world, email_id=waiting.pk))
    outbox_drain()

    response = client.post(
        slug_url("dashboard:email_cancel", world, email_id=waiting.pk), follow=True
    )

    assert "This email cannot be cancelled: it is sent." in response.content.decode()


def test_an_unknown_outcome_is_settled_by_a_person(client, world, waiting):
    OutboundEmail.objects.filter(pk=waiting.pk).update(state=State.UNKNOWN)
    page = client.get(slug_url("dashboard:outbox", world)).content.decode()
    assert "It arrived: mark sent" in page

    client.post(
        slug_url("dashboard:email_resolve", world, email_id=waiting.pk), {"went_out": "yes"}
    )

    waiting.refresh_from_db()
    assert waiting.state == State.SENT
    assert waiting.resolved_by_username == "rita"
    assert mail.outbox == []  # marked, not sent again


def test_the_email_page_shows_what_it_will_say(client, world, waiting):
    page = client.get(slug_url("dashboard:email_detail", world, email_id=waiting.pk))

    assert "What it will say" in page.content.decode()
    assert "Your application for Barista" in page.content.decode()
    assert "Dear Ann," in page.content.decode()


def test_another_teams_outbox_shows_none_of_ours(client, world, waiting):
    client.force_login(world.bob)

    page = client.get(reverse("dashboard:outbox", kwargs={"slug": world.team_b.slug}))
    ours = client.get(
        reverse(
            "dashboard:email_detail", kwargs={"slug": world.team_b.slug, "email_id": waiting.pk}
        )
    )

    assert "Ann Archer" not in page.content.decode()
    assert ours.status_code == 404


def test_a_sent_email_reaches_the_timeline(client, world, waiting, job):
    client.post(slug_url("dashboard:email_send_now", world, email_id=waiting.pk))
    outbox_drain()

    page = client.get(slug_url("dashboard:participant_detail", world, participant_key="p-ann"))

    timeline = page.content.decode().split('id="timeline"', 1)[1]
    assert (
        "The rejection email “Your application for Barista” was sent by this dashboard" in timeline
    )


# --- templates ---------------------------------------------------------------------------


def template_form(**fields):
    return {
        "kind": "rejection",
        "name": "Short no",
        "subject": "About {job_title}",
        "body": "Hi {candidate_first_name}, thank you.",
        **fields,
    }


def test_an_admin_writes_a_template(client, world):
    client.force_login(world.alice)

    response = client.post(slug_url("dashboard:email_template_new", world), template_form())

    assert response.status_code == 302
    template = EmailTemplate.objects.get()
    assert (template.name, template.is_default) == ("Short no", True)  # the first of its kind


def test_an_unknown_placeholder_is_a_form_error_naming_it(client, world):
    client.force_login(world.alice)

    response = client.post(
        slug_url("dashboard:email_template_new", world),
        template_form(body="Hi {first_name}, see {job_title}."),
    )

    assert response.status_code == 400
    assert "Unknown placeholder {first_name}" in response.content.decode()
    assert not EmailTemplate.objects.exists()


def test_a_recruiter_cannot_write_templates(client, world):
    client.force_login(world.rita)

    response = client.post(slug_url("dashboard:email_template_new", world), template_form())

    assert response.status_code == 403


def test_the_preview_fills_in_a_real_candidate(client, world, job):
    client.force_login(world.alice)

    response = client.get(
        slug_url("dashboard:email_template_preview", world),
        {
            "subject": "About {job_title}",
            "body": "Hi {candidate_first_name}",
            "participant": "p-ben",
        },
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "About Barista" in html
    assert "Hi Ben" in html


def test_settings_validate_the_reply_to_and_the_delay(client, world):
    client.force_login(world.alice)

    response = client.post(
        slug_url("dashboard:email_settings", world),
        {"email_sender_name": "Acme", "email_reply_to": "not an address", "email_delay_hours": "5"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert "Select a valid choice." in html


def test_a_job_chooses_its_template_over_the_teams_default(client, world, job, rejection):
    other = template_save(
        team=world.team_a,
        kind=EmailTemplate.Kind.REJECTION,
        name="Warm no",
        subject="Thank you, {candidate_first_name}",
        body="We loved meeting you.",
        is_default=False,
        actor=world.alice,
    )
    client.force_login(world.rita)
    client.post(
        job_url(job, "dashboard:job_email_templates"),
        {"rejection": str(other.pk), "next_steps": ""},
    )
    decision = decide(client, world, "p-ann", "Rejected")

    queue_email(client, world, decision)

    assert OutboundEmail.objects.get().template == other


def test_a_corrected_first_name_is_used_by_the_email(client, world, waiting):
    client.post(
        slug_url("dashboard:participant_first_name", world, participant_key="p-ann"),
        {"first_name": "Annie"},
    )
    client.post(slug_url("dashboard:email_send_now", world, email_id=waiting.pk))
    outbox_drain()

    assert mail.outbox[0].body.startswith("Dear Annie,")


# --- erasure and retention --------------------------------------------------------------


def test_erasing_the_candidate_takes_their_emails(world, waiting):
    erased = candidate_erase(keys=["p-ann"])

    assert erased.emails == 1
    assert not OutboundEmail.objects.exists()


def test_retention_drops_settled_emails_and_keeps_what_waits(world, waiting):
    settled = OutboundEmail.objects.create(
        team=world.team_a, kind=OutboundEmail.Kind.MENTION, state=State.SENT, to_email="a@b.c"
    )
    OutboundEmail.objects.filter(pk__in=[settled.pk, waiting.pk]).update(
        updated_at=timezone.now() - timedelta(days=40)
    )

    expiry = retention_apply(days=30)

    assert expiry.emails == 1
    assert list(OutboundEmail.objects.values_list("pk", flat=True)) == [waiting.pk]


def test_a_decision_that_failed_gets_no_email(client, world, job, rejection):
    client.force_login(world.rita)
    decision = decide(client, world, "p-ann", "Rejected")
    queue_email(client, world, decision)
    Decision.objects.filter(pk=decision.pk).update(state=Decision.State.FAILED)

    outbox_drain()

    email = OutboundEmail.objects.get()
    assert (email.state, email.last_error) == (
        State.CANCELLED,
        "Its decision could not be sent to Willo.",
    )


def test_a_recruiter_reads_the_email_settings_but_cannot_change_them(client, world):
    client.force_login(world.rita)

    page = client.get(slug_url("dashboard:email_settings", world))
    change = client.post(
        slug_url("dashboard:email_settings", world),
        {"email_sender_name": "Rita's", "email_reply_to": "", "email_delay_hours": "0"},
    )

    assert page.status_code == 200
    assert "Default delay" in page.content.decode()
    assert change.status_code == 403
    world.team_a.refresh_from_db()
    assert world.team_a.email_sender_name == ""
