"""A real Celery worker on Redis: webhooks end to end, a killed worker, a broker outage."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import httpx
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dashboard.celery import app
from tests.e2e.conftest import browser, log_in, page  # noqa: F401 - fixtures
from tests.e2e.test_recruiter_flow import northwind  # noqa: F401 - a fixture
from tests.services.conftest import Worker, wait_for
from willo_integration.models import CachedParticipant, ReceivedWebhook
from willo_integration.sandbox import knobs, simulate
from willo_integration.sandbox.models import Interview as SandboxInterview
from willo_integration.sandbox.models import Participant as SandboxParticipant
from willo_integration.services.scope import Scope
from willo_integration.services.webhooks import webhook_register, webhook_sweep

pytestmark = pytest.mark.django_db(transaction=True)


def newcomer_for(job) -> SandboxParticipant:
    interview = SandboxInterview.objects.get(key=job.key)
    invited = SandboxParticipant.objects.filter(
        organisation=interview.organisation, status="Invited"
    ).first()
    invited.interview = interview
    invited.save()
    return invited


@pytest.mark.browser
def test_a_new_response_travels_sandbox_receiver_worker_page(
    celery_worker_process,
    page,  # noqa: F811
    log_in,  # noqa: F811
    northwind,  # noqa: F811
    live_server,
):
    team, job = northwind
    webhook_register(scope=Scope(team=team), public_url=live_server.url)
    newcomer = newcomer_for(job)
    log_in("rachel")
    page.goto(f"/teams/{team.slug}/jobs/{job.key}/?status=Completed")

    with knobs.override(webhook_mode="sync"):
        simulate.respond(newcomer, random.Random(3), base=live_server.url)

    event = wait_for(
        lambda: ReceivedWebhook.objects.filter(team=team, state="applied").first(), timeout=20
    )
    assert event.event == "new_response"
    expect(page.get_by_role("link", name=newcomer.name, exact=True).first).to_be_visible(
        timeout=10_000
    )


def _score_event(team, key: str) -> ReceivedWebhook:
    """A stored new_score delivery: applying it re-reads the candidate from the sandbox."""
    body = {"id": f"evt_{key}", "type": "new_score", "data": {"participant": {"key": key}}}
    return ReceivedWebhook.objects.create(
        team=team,
        event="new_score",
        dedupe_key=f"evt:evt_{key}",
        participant_key=key,
        body=json.dumps(body),
    )


def test_a_worker_killed_mid_task_loses_nothing(redis_broker, live_server, northwind):  # noqa: F811
    team, job = northwind
    candidate = job.participants.filter(status="Completed").first()
    CachedParticipant.objects.filter(pk=candidate.pk).update(name="Stale name")
    event = _score_event(team, candidate.key)
    first = Worker(redis_broker, live_server.url)

    from willo_integration.tasks import webhook_apply_pending_task

    with knobs.override(latency_ms=4000):  # the sandbox answers slowly: the task is mid-flight
        first.start()
        webhook_apply_pending_task.delay()
        wait_for(lambda: _worker_started_task(first), timeout=20)
        first.kill()
    event.refresh_from_db()
    assert event.state == "received"  # its transaction died with the worker

    # The stored event outlives the worker: the beat's sweep hands it to a new worker
    # (and the broker redelivers the unacknowledged message after its visibility timeout;
    # applying is idempotent, so whichever comes second changes nothing).
    second = Worker(redis_broker, live_server.url).start()
    try:
        assert webhook_sweep(older_than=timedelta(0)) == 1
        wait_for(lambda: _state(event) == "applied", timeout=30)
    finally:
        second.stop()
    assert CachedParticipant.objects.get(pk=candidate.pk).name != "Stale name"
    assert ReceivedWebhook.objects.filter(team=team).count() == 1


def _worker_started_task(worker: Worker) -> bool:
    return "webhook_apply_pending_task" in worker.log_path.read_text()


def _state(event: ReceivedWebhook) -> str:
    event.refresh_from_db()
    return event.state


def test_a_webhook_during_a_broker_outage_is_applied_by_the_sweep(
    celery_worker_process,
    live_server,
    northwind,  # noqa: F811
):
    team, job = northwind
    endpoint = webhook_register(scope=Scope(team=team), public_url=live_server.url)
    newcomer = newcomer_for(job)
    token = "outage-token"
    from willo_integration.services.webhooks import token_digest

    endpoint.subscriptions.filter(event="new_response").update(token_digest=token_digest(token))
    good = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:6399/0"  # nothing listens there
    app.amqp._producer_pool = None
    app._pool = None
    try:
        response = httpx.post(
            live_server.url
            + reverse("willo_webhook_receive", kwargs={"route": endpoint.route}),
            json={"key": newcomer.key, "name": newcomer.name, "status": "Completed",
                  "interview": {"key": job.key}, "updated_at": "2031-01-01T00:00:00Z"},
            headers={"Authorization": token},
            timeout=30,
        )  # fmt: skip
    finally:
        app.conf.broker_url = good
        app.amqp._producer_pool = None
        app._pool = None

    assert response.status_code == 202
    event = ReceivedWebhook.objects.get(team=team)
    assert event.state == "received"  # stored, not lost, not yet applied

    assert webhook_sweep(older_than=timedelta(0)) == 1
    wait_for(lambda: _state(event) == "applied", timeout=30)
    assert CachedParticipant.objects.get(team=team, key=newcomer.key).status == "Completed"
