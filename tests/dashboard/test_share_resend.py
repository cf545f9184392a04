"""*Resend by email*: a share's new link goes to its hiring manager through the Outbox, the
old link stops working, and the email carries the new one in text and HTML."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from dashboard.models import OutboundEmail
from tests.dashboard.test_interviews_views import job_url, seed_job
from tests.dashboard.test_shares import make_share, page
from willo_integration.services.email_delivery import email_send
from willo_integration.services.outbox import outbox_drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.DASHBOARD_PUBLIC_URL = "https://dash.example"


def resend_url(share, slug="acme-hiring"):
    return reverse("dashboard:share_resend", kwargs={"slug": slug, "share_id": share.pk})


def deliver() -> list:
    outbox_drain()  # eager tasks send at once; otherwise send what is due here
    for email_id in OutboundEmail.objects.filter(state=OutboundEmail.State.QUEUED).values_list(
        "pk", flat=True
    ):
        email_send(email_id=email_id)
    return mail.outbox


def test_the_url():
    assert reverse("dashboard:share_resend", kwargs={"slug": "acme", "share_id": 7}) == (
        "/teams/acme/shares/7/resend/"
    )


def test_resending_makes_a_new_link_and_emails_it_to_the_manager(client, world, job):
    share, old = make_share(world, job)
    client.force_login(world.rita)

    response = client.post(resend_url(share), follow=True)

    assert response.redirect_chain == [(f"{job_url(job)}#shares", 302)]
    assert (
        "A new link is on its way to hana@example.com (queued in the Outbox); "
        "the one before no longer works." in response.content.decode()
    )
    (email,) = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.SHARE_LINK)
    assert (email.to_email, email.to_name) == ("hana@example.com", "Hana Manager")
    assert email.created_by_username == "rita"
    assert email.recipient is None
    (message,) = deliver()
    assert message.to == ["Hana Manager <hana@example.com>"]
    assert message.subject == "Acme Hiring: candidates for Barista to review"
    new = re.search(r"https://dash\.example/share/([\w-]+)/", message.body).group(1)
    assert new != old
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert f'href="https://dash.example/share/{new}/"' in html
    assert "preferences" not in message.body  # the manager has no account
    client.logout()
    assert client.get(page(old)).status_code == 404
    assert client.get(page(new)).status_code == 200


def test_each_resend_is_its_own_email(client, world, job):
    share, _old = make_share(world, job)
    client.force_login(world.rita)

    client.post(resend_url(share))
    client.post(resend_url(share))

    assert len(deliver()) == 2
    first, second = (re.search(r"/share/([\w-]+)/", m.body).group(1) for m in mail.outbox)
    assert first != second
    assert client.get(page(first)).status_code == 404


def test_a_revoked_share_opens_again_when_resent(client, world, job):
    share, _old = make_share(world, job)
    client.force_login(world.rita)
    client.post(
        reverse("dashboard:share_revoke", kwargs={"slug": "acme-hiring", "share_id": share.pk})
    )

    client.post(resend_url(share))

    share.refresh_from_db()
    assert share.revoked_at is None
    new = re.search(r"/share/([\w-]+)/", deliver()[0].body).group(1)
    assert client.get(page(new)).status_code == 200


def test_viewers_and_other_teams_cannot_resend_and_get_is_not_allowed(client, world, job):
    share, old = make_share(world, job)
    client.force_login(world.victor)
    assert client.post(resend_url(share)).status_code == 403
    client.force_login(world.bob)
    assert client.post(resend_url(share, slug="bravo-talent")).status_code == 404
    client.force_login(world.rita)
    assert client.get(resend_url(share)).status_code == 405

    assert not OutboundEmail.objects.exists()
    client.logout()
    assert client.get(page(old)).status_code == 200


def test_the_job_and_the_link_page_offer_resend_by_email(client, world, job):
    share, _token = make_share(world, job)
    client.force_login(world.rita)

    listed = client.get(job_url(job)).content.decode()
    section = listed[listed.index('id="shares"') :]
    assert f'action="{resend_url(share)}"' in section
    assert (
        'Resend by email<span class="visually-hidden">: a new link to Hana Manager</span>'
        in section
    )
    renewed = client.post(
        reverse("dashboard:share_renew", kwargs={"slug": "acme-hiring", "share_id": share.pk}),
        follow=True,
    ).content.decode()
    assert "Copy the link now" in renewed
    assert "Rather not copy it?" in renewed
    assert f'action="{resend_url(share)}"' in renewed
    assert "send it yourself" not in renewed
    again = client.get(
        reverse("dashboard:share_link", kwargs={"slug": "acme-hiring", "share_id": share.pk})
    ).content.decode()
    assert "The link was shown once" in again
    assert f'action="{resend_url(share)}"' in again
