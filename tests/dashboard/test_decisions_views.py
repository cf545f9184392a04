"""Accept and reject from the candidate page, a table row and in bulk; retry; viewers."""

from __future__ import annotations

import json

import httpx
import pytest
from django.urls import reverse

from dashboard.models import Decision
from tests.dashboard.test_interviews_views import seed_job
from willo_integration.models import CachedParticipant


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


@pytest.fixture
def willo_accepts(willo_transport):
    patched = []

    def willo(request: httpx.Request) -> httpx.Response:
        key = request.url.path.rstrip("/").split("/")[-1]
        if request.method == "PATCH":
            body = json.loads(request.content)
            patched.append((key, body["status"]))
            return httpx.Response(
                200,
                json={
                    "key": key,
                    "status": body["status"],
                    "status_changed_at": "2099-01-01T00:00:00Z",
                },
            )
        return httpx.Response(200, json={"key": key, "status": "Completed"})

    willo_transport(willo)
    return patched


def decide_url(world, key):
    return reverse(
        "dashboard:participant_decide", kwargs={"slug": world.team_a.slug, "participant_key": key}
    )


def test_accepting_swaps_the_decision_panel_with_a_notice(client, world, job, willo_accepts):
    client.force_login(world.rita)

    response = client.post(
        decide_url(world, "p-ann"), {"status": "Accepted"}, HTTP_HX_REQUEST="true"
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<section id="decision"')
    assert "Ann Archer accepted." in content
    assert "<strong data-status>Accepted</strong>" in content
    assert willo_accepts == [("p-ann", "Accepted")]
    decision = Decision.objects.get()
    assert (decision.state, decision.actor_username) == (Decision.State.SENT, "rita")
    assert CachedParticipant.objects.get(key="p-ann").status == "Accepted"


def test_a_row_decision_returns_the_row(client, world, job, willo_accepts):
    client.force_login(world.rita)

    response = client.post(
        decide_url(world, "p-ben"), {"status": "Rejected", "view": "row"}, HTTP_HX_REQUEST="true"
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<tr id="row-p-ben"')
    assert "Ben Baker rejected." in content


def test_a_decision_willo_throttles_shows_as_pending(client, world, job, willo_transport, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    willo_transport(lambda request: httpx.Response(429, headers={"Retry-After": "30"}, json={}))
    client.force_login(world.rita)

    response = client.post(
        decide_url(world, "p-ann"), {"status": "Accepted"}, HTTP_HX_REQUEST="true"
    )

    content = response.content.decode()
    assert "pending" in content
    assert "Ann Archer accepted." not in content
    assert Decision.objects.get().state == Decision.State.PENDING


def test_a_refused_decision_shows_as_failed_with_retry(client, world, job, willo_transport):
    willo_transport(lambda request: httpx.Response(400, json={"status": ["Not allowed now."]}))
    client.force_login(world.rita)

    client.post(decide_url(world, "p-ann"), {"status": "Accepted"}, HTTP_HX_REQUEST="true")
    page = client.get(
        reverse(
            "dashboard:participant_detail",
            kwargs={"slug": world.team_a.slug, "participant_key": "p-ann"},
        )
    )

    decision = Decision.objects.get()
    assert decision.state == Decision.State.FAILED
    assert b"Accepted failed" in page.content
    retry = reverse(
        "dashboard:decision_retry", kwargs={"slug": world.team_a.slug, "decision_id": decision.pk}
    )
    assert retry.encode() in page.content


def test_retry_sends_a_failed_decision_again(client, world, job, willo_accepts):
    participant = CachedParticipant.objects.get(key="p-ann")
    decision = Decision.objects.create(
        team=world.team_a,
        participant_key=participant.key,
        participant_name=participant.name,
        status="Accepted",
        state=Decision.State.FAILED,
        last_error="Timeout",
    )
    client.force_login(world.rita)

    response = client.post(
        reverse(
            "dashboard:decision_retry",
            kwargs={"slug": world.team_a.slug, "decision_id": decision.pk},
        ),
        HTTP_HX_REQUEST="true",
    )

    assert "Ann Archer accepted." in response.content.decode()
    decision.refresh_from_db()
    assert decision.state == Decision.State.SENT


def test_bulk_reject_returns_the_results_with_a_notice(
    client, world, job, willo_accepts, django_capture_on_commit_callbacks
):
    client.force_login(world.rita)
    url = reverse(
        "dashboard:participants_decide_bulk",
        kwargs={"slug": world.team_a.slug, "interview_key": job.key},
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "keys": ["p-ann", "p-ben", "not-in-this-job"],
                "status": "Rejected",
                "filter_query": "q=ann",
            },
            HTTP_HX_REQUEST="true",
        )

    content = response.content.decode()
    assert content.lstrip().startswith('<section id="results"')
    # Bulk decisions go out through tasks after the commit: pending when the page answers.
    assert "2 rejections pending" in content
    assert set(Decision.objects.values_list("state", flat=True)) == {Decision.State.SENT}
    assert [p.name for p in response.context["rows"]] == ["Ann Archer"]
    assert sorted(willo_accepts) == [("p-ann", "Rejected"), ("p-ben", "Rejected")]
    assert Decision.objects.count() == 2


def test_a_viewer_sees_no_controls_and_the_endpoints_answer_403(client, world, job):
    client.force_login(world.victor)
    page = client.get(
        reverse(
            "dashboard:participant_detail",
            kwargs={"slug": world.team_a.slug, "participant_key": "p-ann"},
        )
    )
    bulk = reverse(
        "dashboard:participants_decide_bulk",
        kwargs={"slug": world.team_a.slug, "interview_key": job.key},
    )

    single = client.post(decide_url(world, "p-ann"), {"status": "Accepted"})
    many = client.post(bulk, {"keys": ["p-ann"], "status": "Rejected"})

    assert page.status_code == 200
    assert b'data-decision="Accepted"' not in page.content
    assert b"confirm-dialog" not in page.content
    assert single.status_code == many.status_code == 403
    assert not Decision.objects.exists()


def test_it_refuses_an_unknown_status(client, world, job):
    client.force_login(world.rita)

    response = client.post(decide_url(world, "p-ann"), {"status": "Maybe"})

    assert response.status_code == 400
