"""Live pages: the change marker polled by open pages, and the regions that refresh."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.dashboard.test_interviews_views import job_url, seed_job
from willo_integration import schemas
from willo_integration.models import CachedParticipant, Source
from willo_integration.services.cache_writer import participant_store
from willo_integration.services.changes import changes_marker
from willo_integration.services.scope import Scope


@pytest.fixture
def job(world):
    return seed_job(world.team_a)


def changes_url(world, **query) -> str:
    url = reverse("dashboard:team_changes", kwargs={"slug": world.team_a.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def apply_status(world, key: str, status: str, captured) -> None:
    """What a status_change webhook does to the cache, committed."""
    payload = schemas.Participant.model_validate(
        {"key": key, "status": status, "updated_at": "2031-01-01T00:00:00Z"}
    )
    with captured(execute=True):
        participant_store(scope=Scope(team=world.team_a), payload=payload, source=Source.WEBHOOK)


def test_an_unchanged_marker_answers_204(client, world, job):
    client.force_login(world.rita)
    marker = changes_marker(scope=Scope(team=world.team_a))

    response = client.get(changes_url(world, since=marker), HTTP_HX_REQUEST="true")

    assert response.status_code == 204


def test_a_change_answers_with_a_new_poller_and_the_event(
    client, world, job, django_capture_on_commit_callbacks
):
    client.force_login(world.rita)
    before = changes_marker(scope=Scope(team=world.team_a))
    apply_status(world, "p-cat", "Completed", django_capture_on_commit_callbacks)

    response = client.get(changes_url(world, since=before), HTTP_HX_REQUEST="true")

    after = changes_marker(scope=Scope(team=world.team_a))
    assert after != before
    assert response.status_code == 200
    assert response["HX-Trigger"] == "willo-changed"
    assert f"since={after}" in response.content.decode()


def test_a_candidate_marker_moves_only_for_that_candidate(
    client, world, job, django_capture_on_commit_callbacks
):
    scope = Scope(team=world.team_a)
    ann_before = changes_marker(scope=scope, participant_key="p-ann")
    apply_status(world, "p-cat", "Completed", django_capture_on_commit_callbacks)

    assert changes_marker(scope=scope, participant_key="p-ann") == ann_before
    assert changes_marker(scope=scope, participant_key="p-cat") != "0"


def test_the_job_page_polls_and_its_table_refetches_this_filter_and_page(client, world, job):
    client.force_login(world.rita)

    html = client.get(job_url(job), {"status": "Completed", "page": "1"}).content.decode()

    assert 'hx-trigger="every 2s"' in html
    trigger = 'hx-trigger="willo-changed from:body, candidates-fetching from:body"'
    assert f'hx-get="{job_url(job)}?status=Completed" {trigger}' in html


def test_the_candidate_page_refreshes_its_decision_status_and_score(
    client, world, job, django_capture_on_commit_callbacks
):
    client.force_login(world.rita)
    url = reverse(
        "dashboard:participant_detail",
        kwargs={"slug": world.team_a.slug, "participant_key": "p-ann"},
    )
    page = client.get(url).content.decode()
    assert 'hx-trigger="willo-changed from:body"' in page
    assert "candidate=p-ann" in page
    apply_status(world, "p-ann", "Rejected", django_capture_on_commit_callbacks)

    live = client.get(url, {"part": "live"}, HTTP_HX_REQUEST="true").content.decode()

    assert live.lstrip().startswith('<section id="decision"')
    assert '<span class="badge status--rejected" id="candidate-status" hx-swap-oob="true">' in live
    assert 'id="score" class="card" aria-labelledby="score-title" hx-swap-oob="true"' in live
    assert CachedParticipant.objects.get(key="p-ann").status == "Rejected"
