"""The team page's sync panel: progress while a sync runs, starting one (team admins)."""

from __future__ import annotations

from django.urls import reverse

from willo_integration import tasks
from willo_integration.models import SyncRun


def sync_url(team) -> str:
    return reverse("dashboard:team_sync", kwargs={"slug": team.slug})


def test_the_team_page_says_when_it_was_never_synced(client, world):
    client.force_login(world.rita)

    response = client.get(reverse("dashboard:team_detail", kwargs={"slug": world.team_a.slug}))

    assert "has not been synced yet" in response.content.decode()


def test_a_running_sync_shows_its_progress_and_polls(client, world):
    SyncRun.objects.create(
        team=world.team_a, kind="full", phase="details", pages_done=4, pages_total=4,
        details_done=46, details_total=96,
    )  # fmt: skip
    client.force_login(world.alice)

    html = client.get(sync_url(world.team_a), HTTP_HX_REQUEST="true").content.decode()

    assert 'value="50"' in html
    assert 'hx-trigger="every 2s"' in html
    assert "46 of 96 candidates" in html
    assert "<button" not in html  # no second start while one runs


def test_a_waiting_sync_says_why_and_that_it_resumes(client, world):
    SyncRun.objects.create(
        team=world.team_a, kind="full", state="waiting", error="Willo is not answering."
    )
    client.force_login(world.alice)

    html = client.get(sync_url(world.team_a)).content.decode()

    assert "Willo is not answering." in html
    assert "resumes by itself" in html


def test_a_team_admin_starts_a_sync(client, world, monkeypatch, django_capture_on_commit_callbacks):
    started = []
    monkeypatch.setattr(tasks.sync_task, "delay_on_commit", started.append)
    client.force_login(world.alice)

    response = client.post(sync_url(world.team_a), {"kind": "full"}, HTTP_HX_REQUEST="true")

    run = SyncRun.objects.get(team=world.team_a)
    assert (response.status_code, run.kind, run.state, started) == (
        200,
        "full",
        "running",
        [run.pk],
    )
    assert "Running" in response.content.decode()


def test_a_second_start_says_a_sync_is_running(client, world, monkeypatch):
    monkeypatch.setattr(tasks.sync_task, "delay_on_commit", lambda run_id: None)
    SyncRun.objects.create(team=world.team_a, kind="full")
    client.force_login(world.alice)

    response = client.post(sync_url(world.team_a), {"kind": "incremental"})

    assert "is running" in response.content.decode()
    assert SyncRun.objects.count() == 1


def test_recruiters_and_viewers_cannot_start_a_sync(client, world):
    for user in (world.rita, world.victor):
        client.force_login(user)
        assert client.post(sync_url(world.team_a), {"kind": "full"}).status_code == 403
    assert not SyncRun.objects.exists()
