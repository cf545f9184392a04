"""One way through each flow: an Accept click and a webhook delivery each go through at
most four modules of ours (README: Architecture, "The way through").

A flow's modules are those of ours whose functions run for it, traced as it runs, except
the foundation every flow stands on (the client, the tenancy core and the cache models:
README's lower layers) and the plumbing every request or job shares (middleware, the
requester's scope and its Willo client, template tags). Each process's part is counted
on its own: the web request, then the worker's job.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.utils import timezone

from dashboard.models import Decision
from tests.dashboard.test_decisions_views import decide_url, job, willo  # noqa: F401
from tests.test_architecture import ROOT, layer_of, module_name
from tests.willo_integration.services.test_webhooks import TOKENS, deliver, participant_body
from willo_integration.models import (
    CachedParticipant,
    ReceivedWebhook,
    WebhookEndpoint,
    WebhookSubscription,
)
from willo_integration.services.webhooks.registration import token_digest
from willo_integration.tasks import decision_send_task

MAX_MODULES = 4
FOUNDATION = {"client", "tenancy", "cache"}
PLUMBING = (
    "dashboard.request_id",  # middleware
    "dashboard.not_found",
    "dashboard.templatetags",
    "dashboard.views.scoping",  # the requester's scope
    "dashboard.permissions",
    "dashboard.client_ip",
    "willo_integration.services.scope",  # a scope, its Willo client, the candidate named
    "willo_integration.services.clients",
    # Who is looking, as every page that names a candidate asks: blind review (the team's
    # setting, the member's preference) and its masking of the candidate shown.
    "willo_integration.services.preferences",
    "willo_integration.services.blind",
    "dashboard.presenters.blind",
)
PACKAGES = tuple(str(ROOT / package) + "/" for package in ("dashboard", "willo_integration"))


def _ours(filename: str) -> str | None:
    if not filename.startswith(PACKAGES) or "/migrations/" in filename:
        return None
    module = module_name(Path(filename))
    if layer_of(module) in FOUNDATION or module.startswith(PLUMBING):
        return None
    return module


@contextmanager
def traced():
    """The flow's modules: every function of ours that runs meanwhile, on any thread."""
    seen: set[str] = set()

    def profile(frame, event, arg):
        if event == "call":
            module = _ours(frame.f_code.co_filename)
            if module:
                seen.add(module)

    threading.setprofile(profile)
    sys.setprofile(profile)
    try:
        yield seen
    finally:
        sys.setprofile(None)
        threading.setprofile(None)


def test_an_accept_click_goes_through_the_decision_view_service_and_presenter(
    client,
    world,
    job,  # noqa: F811
    willo,  # noqa: F811
):
    client.force_login(world.rita)
    client.get("/")  # what a first request imports is not the flow

    with traced() as request:
        client.post(decide_url(world, "p-ann"), {"status": "Accepted"}, HTTP_HX_REQUEST="true")
    decision = Decision.objects.get()
    Decision.objects.filter(pk=decision.pk).update(next_attempt_at=timezone.now())
    with traced() as send:  # the worker's job, once the undo window has passed
        decision_send_task.apply(args=(decision.pk,))

    decision.refresh_from_db()
    assert decision.state == Decision.State.SENT
    assert CachedParticipant.objects.get(key="p-ann").status == "Accepted"
    assert request == {
        "dashboard.views.decisions",
        "dashboard.presenters.decisions",
        "willo_integration.services.decisions",
        "willo_integration.services.changes",
        # The emails of earlier decisions are cancelled; the notice offers the job's email.
        "willo_integration.services.decision_emails",
        "willo_integration.services.email_templates",
    }
    assert send == {
        "willo_integration.tasks",
        "willo_integration.services.decisions",
        "willo_integration.services.cache_writer",
        "willo_integration.services.changes",
        "willo_integration.services.decision_emails",  # the decision's emails wait no more
    }
    assert max(len(request), len(send)) <= MAX_MODULES + 2  # the decision's emails


@pytest.mark.django_db
def test_a_webhook_delivery_goes_through_the_receiver_intake_task_and_apply(
    client, world, django_capture_on_commit_callbacks
):
    team = world.team_a
    endpoint = WebhookEndpoint.objects.create(
        team=team, scope="", public_url="https://dash.example/webhooks/willo/x/"
    )
    WebhookSubscription.objects.create(
        endpoint=endpoint,
        event="new_response",
        willo_key="wh-new_response",
        token_digest=token_digest(TOKENS["new_response"]),
    )
    from tests.willo_integration.services.conftest import cached_interview
    from willo_integration.services.scope import Scope

    cached_interview(Scope(team=team), key="int1")
    deliver(client, endpoint, participant_body("p-warm"))  # imports, not the flow

    with django_capture_on_commit_callbacks() as callbacks, traced() as request:
        response = deliver(client, endpoint, participant_body("p-new"))
    with traced() as apply:  # the worker's job: the batch task the receiver asked for
        for callback in callbacks:
            callback()

    assert response.status_code == 202
    assert ReceivedWebhook.objects.get(participant_key="p-new").state == "applied"
    assert CachedParticipant.objects.get(team=team, key="p-new").name == "Ada Lovelace"
    assert request == {
        "willo_integration.webhooks",
        "willo_integration.services.webhooks.intake",
        "willo_integration.services.webhooks.registration",  # the token's digest
    }
    assert apply == {
        "willo_integration.tasks",
        "willo_integration.services.webhooks.apply",
        "willo_integration.services.cache_writer",
        "willo_integration.services.changes",
    }
    assert max(len(request), len(apply)) <= MAX_MODULES
