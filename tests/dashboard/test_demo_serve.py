"""`make demo`'s processes (demo_serve): the web process beside a real Celery worker and
beat on the filesystem broker, so work happens later and by itself as in production: a
countdown task enqueued by a request, and beat's sweep with no request at all. Ctrl-C
stops every process."""

from __future__ import annotations

import json
import os

import httpx

from tests.services.conftest import wait_for
from tests.willo_integration.services.test_webhooks import participant_body

SETUP = """
import json, secrets
from django.db.models import Count
from django.utils import timezone
from dashboard.models import Team
from willo_integration.models import CachedInterview, ReceivedWebhook, WebhookEndpoint
from willo_integration.models import WebhookSubscription
from willo_integration.sandbox.models import Interview
from willo_integration.services.webhooks import token_digest

team = Team.objects.get(name="Northwind Talent")
endpoint = WebhookEndpoint.objects.create(team=team, public_url="http://127.0.0.1/")
token = secrets.token_urlsafe(48)
WebhookSubscription.objects.create(
    endpoint=endpoint, event="new_response", willo_key="w1", token_digest=token_digest(token)
)
# Two candidates of one job, which is not cached.
job = Interview.objects.filter(organisation__name=team.name, organisation__parent=None).annotate(
    candidates=Count("participants")
).filter(candidates__gte=2).order_by("id").first()
first, second = job.participants.order_by("id")[:2]
CachedInterview.objects.filter(team=team, key=job.key).delete()  # demo set-up fetched it
# Stored a minute ago and never applied (its worker died, say): only beat's sweep finds it.
stored = ReceivedWebhook.objects.create(
    team=team, endpoint=endpoint, event="new_response", dedupe_key="stored-1",
    participant_key=second.key, body=json.dumps({"key": second.key, "status": "Completed",
    "interview": {"key": job.key, "title": job.title}}),
)
ReceivedWebhook.objects.filter(pk=stored.pk).update(
    received_at=timezone.now() - timezone.timedelta(minutes=1)
)
print(json.dumps({"route": endpoint.route, "token": token, "stored": second.key,
    "participant": first.key, "job": [job.key, job.title]}))
"""


def _states_of(demo_site, participant_key: str) -> list[str]:
    sql = "SELECT state FROM willo_integration_receivedwebhook WHERE participant_key = ?"
    return [state for (state,) in demo_site.rows(sql, (participant_key,))]


def test_its_worker_and_beat_do_the_work_no_request_waits_for(demo_site):
    fixture = json.loads(demo_site.shell(SETUP).strip().splitlines()[-1])
    job_key, job_title = fixture["job"]

    # The delivery stored with no request behind it: beat's sweep enqueues it, and the
    # worker applies it, reading its job from the sandbox over HTTP as it would from Willo.
    wait_for(lambda: _states_of(demo_site, fixture["stored"]) == ["applied"])
    assert demo_site.rows(
        "SELECT title FROM willo_integration_cachedinterview WHERE key = ?", (job_key,)
    ) == [(job_title,)]
    answer = httpx.post(
        f"{demo_site.url}/webhooks/willo/{fixture['route']}/",
        json=participant_body(
            fixture["participant"], interview={"key": job_key, "title": job_title}
        ),
        headers={"Authorization": fixture["token"]},
    )
    assert answer.status_code == 202
    # The receiver asked for a run shortly after (a countdown task): the worker applies it.
    wait_for(lambda: _states_of(demo_site, fixture["participant"]) == ["applied"])

    log = demo_site.log()
    assert "Sending due task willo-webhook-sweep" in log
    assert f'"GET /api/integrations/v2/interviews/{job_key}/ HTTP/1.1" 200' in log


def test_ctrl_c_stops_the_web_process_the_worker_and_its_beat(demo_site):
    pids = demo_site.pids()

    status = demo_site.stop()

    assert set(pids) == {"web", "worker"}
    assert status == 0

    def gone(pid: int) -> bool:
        try:
            os.killpg(pid, 0)  # the process and any it started (the worker's beat)
        except ProcessLookupError:
            return True
        return False

    wait_for(lambda: all(gone(pid) for pid in pids.values()), timeout=15)
