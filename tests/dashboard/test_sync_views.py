"""The team page's sync panel: progress while a sync runs, starting one (team admins), and
resuming or cancelling one that waits for Willo or whose worker stopped."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from willo_integration import tasks
from willo_integration.models import SyncRun


def sync_url(team) -> str:
    return reverse("dashboard:team_sync", kwargs={"slug": team.slug})


def team_url(team) -> str:
    return reverse("dashboard:team_detail", kwargs={"slug": team.slug})


def resume_url(run) -> str:
    return reverse("dashboard:team_sync_resume", kwargs={"slug": run.team.slug, "run_id": run.pk})


def cancel_url(run) -> str:
    return reverse("dashboard:team_sync_cancel", kwargs={"slug": run.team.slug, "run_id": run.pk})


def text(html: str) -> str:
    """What a person reads: tags dropped, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def hhmm(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def waiting(team, **fields) -> SyncRun:
    since = timezone.now() - timedelta(minutes=12)
    values = {
        "kind": "full",
        "state": "waiting",
        "phase": "details",
        "error": "Willo is not answering (error).",
        "waiting_since": since,
        "waits": 4,
        "next_attempt_at": timezone.now() + timedelta(minutes=3),
    }
    return SyncRun.objects.create(team=team, **(values | fields))


def stalled(team) -> SyncRun:
    run = SyncRun.objects.create(team=team, kind="full", phase="details")
    SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=7))
    run.refresh_from_db()
    return run


def enqueued(monkeypatch) -> list[tuple]:
    calls: list[tuple] = []
    monkeypatch.setattr(tasks.sync_task, "delay_on_commit", lambda *args: calls.append(args))
    return calls


def test_the_team_page_says_when_it_was_never_synced(client, world):
    client.force_login(world.rita)

    response = client.get(team_url(world.team_a))

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
    assert "<button" not in html  # no second start, no resume or cancel while one runs


def test_a_waiting_sync_says_since_when_why_and_when_it_is_tried_again(client, world):
    run = waiting(world.team_a)
    client.force_login(world.alice)

    html = client.get(sync_url(world.team_a)).content.decode()

    shown = text(html)
    assert (
        f"Full sync: Waiting for Willo since {hhmm(run.waiting_since)} — next try at "
        f"{hhmm(run.next_attempt_at)}"
    ) in shown
    assert "waiting 12 minutes, 4 tries failed" in shown
    assert "Willo is not answering (error)" in shown
    assert "tried again by itself" in shown
    assert 'hx-trigger="every 5s"' in html  # the resume shows by itself
    assert f'action="{resume_url(run)}"' in html
    assert f'action="{cancel_url(run)}"' in html
    assert 'data-confirm-dialog="sync-cancel-dialog"' in html


def test_a_waiting_sync_that_is_due_says_so(client, world):
    waiting(world.team_a, next_attempt_at=timezone.now() - timedelta(seconds=5))
    client.force_login(world.alice)

    shown = text(client.get(sync_url(world.team_a)).content.decode())

    assert "— next try due now" in shown


def test_members_who_are_not_admins_see_the_wait_but_no_resume_or_cancel(client, world):
    run = waiting(world.team_a)
    for user in (world.rita, world.victor):
        client.force_login(user)

        html = client.get(team_url(world.team_a)).content.decode()

        assert "Waiting for Willo" in html
        assert "a team admin can resume or cancel it" in html
        assert resume_url(run) not in html
        assert "sync-cancel-dialog" not in html


def test_a_stalled_sync_says_its_worker_stopped_and_offers_resume_and_cancel(client, world):
    run = stalled(world.team_a)
    client.force_login(world.alice)

    shown = text(client.get(sync_url(world.team_a)).content.decode())

    assert (
        f"Full sync: Running — no progress since {hhmm(run.heartbeat_at)}: its worker seems "
        "to have stopped"
    ) in shown
    assert "Resume" in shown
    assert "Cancel" in shown


def test_the_team_page_asks_before_cancelling(client, world):
    waiting(world.team_a)
    client.force_login(world.alice)

    html = client.get(team_url(world.team_a)).content.decode()

    dialog = html[html.index('<dialog id="sync-cancel-dialog"') :]
    dialog = dialog[: dialog.index("</dialog>")]
    assert "Cancel this sync?" in dialog
    assert "is not tried again" in dialog
    assert 'value="confirm"' in dialog


def test_a_team_admin_starts_a_sync(client, world, monkeypatch):
    started = enqueued(monkeypatch)
    client.force_login(world.alice)

    response = client.post(sync_url(world.team_a), {"kind": "full"}, HTTP_HX_REQUEST="true")

    run = SyncRun.objects.get(team=world.team_a)
    assert (response.status_code, run.kind, run.state, started) == (
        200,
        "full",
        "running",
        [(run.pk, 0)],
    )
    assert "Running" in response.content.decode()


def test_a_second_start_says_a_sync_is_running(client, world, monkeypatch):
    enqueued(monkeypatch)
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


def test_a_team_admin_resumes_a_waiting_sync(client, world, monkeypatch):
    started = enqueued(monkeypatch)
    run = waiting(world.team_a)
    client.force_login(world.alice)

    response = client.post(resume_url(run), follow=True)

    run.refresh_from_db()
    assert response.redirect_chain == [(f"{team_url(world.team_a)}#sync", 302)]
    assert (run.state, run.resumed, run.next_attempt_at) == ("running", 1, None)
    assert started == [(run.pk, 1)]
    assert "Resumed the sync" in response.content.decode()


def test_a_team_admin_resumes_a_stalled_sync(client, world, monkeypatch):
    started = enqueued(monkeypatch)
    run = stalled(world.team_a)
    client.force_login(world.alice)

    assert client.post(resume_url(run)).status_code == 302

    run.refresh_from_db()
    assert (run.state, run.resumed, started) == ("running", 1, [(run.pk, 1)])
    assert not run.stalled


def test_a_team_admin_cancels_a_waiting_sync_and_can_start_another(client, world, monkeypatch):
    started = enqueued(monkeypatch)
    run = waiting(world.team_a)
    client.force_login(world.alice)

    response = client.post(cancel_url(run), follow=True)

    run.refresh_from_db()
    assert (run.state, run.cancelled_by, started) == ("cancelled", "alice", [])
    shown = text(response.content.decode())
    assert "Full sync: Cancelled by alice" in shown
    assert "Sync new candidates" in shown
    assert client.post(sync_url(world.team_a), {"kind": "full"}).status_code == 200
    assert SyncRun.objects.filter(team=world.team_a, state="running").exists()


def test_resume_and_cancel_are_for_team_admins_only(client, world, monkeypatch):
    started = enqueued(monkeypatch)
    run = waiting(world.team_a)
    for user in (world.rita, world.victor):
        client.force_login(user)
        assert client.post(resume_url(run)).status_code == 403
        assert client.post(cancel_url(run)).status_code == 403
    run.refresh_from_db()
    assert (run.state, run.resumed, started) == ("waiting", 0, [])


def test_resume_and_cancel_are_posts_with_a_csrf_token(world, monkeypatch):
    enqueued(monkeypatch)
    run = waiting(world.team_a)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.alice)

    assert browser.get(resume_url(run)).status_code == 405
    assert browser.get(cancel_url(run)).status_code == 405
    assert browser.post(cancel_url(run)).status_code == 403  # no token
    page = browser.get(team_url(world.team_a)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post(cancel_url(run), {"csrfmiddlewaretoken": token}).status_code == 302
    run.refresh_from_db()
    assert run.state == "cancelled"


def test_a_sync_that_is_not_waiting_answers_409_with_why(client, world, monkeypatch):
    started = enqueued(monkeypatch)
    live = SyncRun.objects.create(team=world.team_a, kind="full")
    client.force_login(world.alice)

    for url in (resume_url(live), cancel_url(live)):
        response = client.post(url)

        assert response.status_code == 409
        assert "This sync is not waiting for Willo (its state: Running)" in (
            response.content.decode()
        )
    live.refresh_from_db()
    assert (live.state, live.resumed, started) == ("running", 0, [])


def test_another_teams_sync_cannot_be_resumed_or_cancelled(client, world, monkeypatch):
    started = enqueued(monkeypatch)
    theirs = waiting(world.team_b)
    client.force_login(world.alice)
    # Team A's URL with team B's run, and team B's URL.
    urls = [
        reverse(name, kwargs={"slug": world.team_a.slug, "run_id": theirs.pk})
        for name in ("dashboard:team_sync_resume", "dashboard:team_sync_cancel")
    ] + [resume_url(theirs), cancel_url(theirs)]

    for url in urls:
        assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.state, started) == ("waiting", [])
