"""Runs that wait for Willo or lose their worker: the backoff, the sweep, resume and cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from willo_integration import tasks
from willo_integration.models import CachedParticipant, SyncRun
from willo_integration.sandbox import knobs
from willo_integration.sandbox.models import Participant as SandboxParticipant
from willo_integration.services import sync
from willo_integration.services.errors import SyncNotFound
from willo_integration.services.retry_policy import BACKOFF_BASE_SECONDS
from willo_integration.services.scope import Scope
from willo_integration.services.sync import (
    SyncNotWaiting,
    sync_cancel,
    sync_resume,
    sync_run,
    sync_start,
    sync_sweep,
)

from .conftest import make_team, requires_sandbox

pytestmark = requires_sandbox


def waiting_run(sandbox) -> SyncRun:
    """A full sync that found Willo down."""
    run = sync_start(scope=sandbox.scope, kind=SyncRun.Kind.FULL)
    with knobs.override(error_rate=1.0):
        return sync_run(run_id=run.pk)


def time_passes(run: SyncRun, **since: float) -> None:
    """Move the run's clock back, as if ``since`` (timedelta arguments) had gone by."""
    ago = timedelta(**since)
    SyncRun.objects.filter(pk=run.pk).update(
        next_attempt_at=run.next_attempt_at and run.next_attempt_at - ago,
        heartbeat_at=run.heartbeat_at - ago,
    )


def willo_count(sandbox) -> int:
    return SandboxParticipant.objects.filter(organisation=sandbox.organisation).count()


def test_a_run_willo_stops_answering_waits_for_its_next_attempt(threaded_sandbox):
    run = waiting_run(threaded_sandbox)

    assert (run.state, run.waits) == (SyncRun.State.WAITING, 1)
    assert "Willo is not answering" in run.error
    assert run.next_attempt_at - run.waiting_since == timedelta(seconds=BACKOFF_BASE_SECONDS)


def test_a_waiting_run_is_swept_when_it_is_due_and_not_before(threaded_sandbox):
    sandbox = threaded_sandbox
    run = waiting_run(sandbox)

    assert sync_sweep() == []

    time_passes(run, seconds=BACKOFF_BASE_SECONDS)
    swept = sync_sweep()

    assert [(r.pk, r.state, r.resumed) for r in swept] == [(run.pk, SyncRun.State.RUNNING, 1)]
    assert sync_sweep() == []  # claimed: running, with a fresh heartbeat
    done = sync_run(run_id=run.pk, claim=swept[0].resumed)
    assert (done.state, done.waiting_since, done.next_attempt_at) == (
        SyncRun.State.SUCCEEDED,
        None,
        None,
    )
    assert CachedParticipant.objects.filter(team=sandbox.team).count() == willo_count(sandbox)


def test_waiting_again_without_progress_doubles_the_wait_and_keeps_its_start(threaded_sandbox):
    run = waiting_run(threaded_sandbox)
    first_since = run.waiting_since
    time_passes(run, seconds=BACKOFF_BASE_SECONDS)
    (claimed,) = sync_sweep()

    with knobs.override(error_rate=1.0):
        again = sync_run(run_id=run.pk, claim=claimed.resumed)

    assert (again.state, again.waits, again.waiting_since) == (
        SyncRun.State.WAITING,
        2,
        first_since,
    )
    wait = again.next_attempt_at - again.heartbeat_at  # saved as it started waiting
    assert (
        timedelta(seconds=BACKOFF_BASE_SECONDS)
        < wait
        <= timedelta(seconds=2 * BACKOFF_BASE_SECONDS)
    )


def test_a_run_that_got_further_before_waiting_again_starts_a_new_stretch(threaded_sandbox):
    sandbox = threaded_sandbox
    run = waiting_run(sandbox)
    first_since = run.waiting_since
    time_passes(run, seconds=BACKOFF_BASE_SECONDS)
    (claimed,) = sync_sweep()

    def willo_down_after_a_page(current: SyncRun) -> None:
        if current.pages_done:
            knobs.configure(error_rate=1.0)  # the fixture's override restores it

    again = sync_run(run_id=run.pk, claim=claimed.resumed, progress=willo_down_after_a_page)

    assert (again.state, again.waits) == (SyncRun.State.WAITING, 1)
    assert again.pages_done >= 1
    assert again.waiting_since > first_since


def test_a_rate_limited_run_waits_as_long_as_willo_asked(threaded_sandbox):
    sandbox = threaded_sandbox
    run = sync_start(scope=sandbox.scope, kind=SyncRun.Kind.FULL)

    # One request per key in ten minutes: the second is refused with Retry-After, which is
    # longer than the client waits by itself.
    with knobs.override(rate_limit=1, rate_window_s=600):
        run = sync_run(run_id=run.pk)

    assert run.state == SyncRun.State.WAITING
    assert "rate limited" in run.error
    wait = run.next_attempt_at - run.waiting_since
    assert timedelta(seconds=590) <= wait <= timedelta(seconds=600)


def test_a_run_whose_worker_died_is_swept_and_its_old_worker_cannot_carry_on(
    threaded_sandbox, monkeypatch
):
    sandbox = threaded_sandbox
    monkeypatch.setattr(sync, "DETAIL_CHUNK", 10)
    run = sync_start(scope=sandbox.scope, kind=SyncRun.Kind.FULL)
    swept: list[SyncRun] = []

    def swept_while_it_seemed_dead(current: SyncRun) -> None:
        if current.phase == "details" and not swept:
            time_passes(current, minutes=6)
            swept.extend(sync_sweep())

    stopped = sync_run(run_id=run.pk, claim=run.resumed, progress=swept_while_it_seemed_dead)

    assert [r.pk for r in swept] == [run.pk]
    assert (stopped.state, stopped.resumed) == (SyncRun.State.RUNNING, 1)
    assert stopped.details_done < willo_count(sandbox)  # it stopped at its next save
    assert sync_run(run_id=run.pk, claim=0).resumed == 1  # a stale claim does nothing
    done = sync_run(run_id=run.pk, claim=1)
    assert done.state == SyncRun.State.SUCCEEDED
    rows = CachedParticipant.objects.filter(team=sandbox.team)
    assert rows.count() == willo_count(sandbox)
    assert not rows.filter(detail_fetched_at__lt=run.started_at).exists()


def test_the_sweep_takes_one_run_per_scope(db):
    team, other = make_team("Acme", "acme-key-0000000000001"), make_team("Bravo", "bravo-key-01")
    past = timezone.now() - timedelta(minutes=1)
    first, _second = (
        SyncRun.objects.create(team=team, kind="full", state="waiting", next_attempt_at=past)
        for _ in range(2)
    )
    bravo = SyncRun.objects.create(team=other, kind="full", state="waiting", next_attempt_at=past)
    child = SyncRun.objects.create(
        team=team, scope="c" * 32, kind="full", state="waiting", next_attempt_at=past
    )

    assert sorted(r.pk for r in sync_sweep()) == sorted([first.pk, bravo.pk, child.pk])


def test_a_live_run_is_neither_swept_resumed_nor_cancelled(threaded_sandbox):
    sandbox = threaded_sandbox
    run = sync_start(scope=sandbox.scope, kind=SyncRun.Kind.FULL)

    assert sync_sweep() == []
    with pytest.raises(SyncNotWaiting, match="Running"):
        sync_resume(scope=sandbox.scope, run_id=run.pk)
    with pytest.raises(SyncNotWaiting, match="nothing to cancel"):
        sync_cancel(scope=sandbox.scope, run_id=run.pk, actor="ana")
    assert SyncRun.objects.get(pk=run.pk).state == SyncRun.State.RUNNING


def test_resume_claims_a_waiting_run_now(threaded_sandbox):
    sandbox = threaded_sandbox
    run = waiting_run(sandbox)

    resumed = sync_resume(scope=sandbox.scope, run_id=run.pk)  # before it is due

    assert (resumed.state, resumed.resumed, resumed.next_attempt_at, resumed.error) == (
        SyncRun.State.RUNNING,
        1,
        None,
        "",
    )
    with pytest.raises(SyncNotWaiting):  # claimed once only
        sync_resume(scope=sandbox.scope, run_id=run.pk)
    assert sync_run(run_id=run.pk, claim=1).state == SyncRun.State.SUCCEEDED


def test_a_cancelled_run_is_not_swept_and_frees_the_scope(threaded_sandbox):
    sandbox = threaded_sandbox
    run = waiting_run(sandbox)

    cancelled = sync_cancel(scope=sandbox.scope, run_id=run.pk, actor="ana")
    time_passes(run, hours=1)

    assert (cancelled.state, cancelled.cancelled_by) == (SyncRun.State.CANCELLED, "ana")
    assert cancelled.finished_at is not None
    assert sync_sweep() == []
    with pytest.raises(SyncNotWaiting, match="Cancelled"):
        sync_resume(scope=sandbox.scope, run_id=run.pk)
    fresh = sync_start(scope=sandbox.scope, kind=SyncRun.Kind.INCREMENTAL)
    assert fresh.pk != run.pk
    assert sync_run(run_id=fresh.pk).state == SyncRun.State.SUCCEEDED


def test_cancelling_a_stalled_run_stops_its_worker(threaded_sandbox):
    sandbox = threaded_sandbox
    run = sync_start(scope=sandbox.scope, kind=SyncRun.Kind.FULL)

    def cancelled_while_it_seemed_dead(current: SyncRun) -> None:
        if current.phase == "participants" and current.state == SyncRun.State.RUNNING:
            time_passes(current, minutes=6)
            sync_cancel(scope=sandbox.scope, run_id=current.pk, actor="ana")

    stopped = sync_run(run_id=run.pk, progress=cancelled_while_it_seemed_dead)

    assert (stopped.state, stopped.cancelled_by) == (SyncRun.State.CANCELLED, "ana")
    assert stopped.details_done == 0


def test_another_teams_or_scopes_run_cannot_be_resumed_or_cancelled(threaded_sandbox, other_team):
    sandbox = threaded_sandbox
    run = waiting_run(sandbox)

    for scope in (Scope(team=other_team), Scope(team=sandbox.team, child_key="c" * 32)):
        with pytest.raises(SyncNotFound):
            sync_resume(scope=scope, run_id=run.pk)
        with pytest.raises(SyncNotFound):
            sync_cancel(scope=scope, run_id=run.pk, actor="mallory")
    assert SyncRun.objects.get(pk=run.pk).state == SyncRun.State.WAITING


def test_the_beat_task_enqueues_each_swept_run_with_its_claim(threaded_sandbox, monkeypatch):
    run = waiting_run(threaded_sandbox)
    enqueued = []
    monkeypatch.setattr(tasks.sync_task, "delay", lambda *args: enqueued.append(args))

    assert tasks.sync_sweep_task() == 0
    time_passes(run, seconds=BACKOFF_BASE_SECONDS)
    assert tasks.sync_sweep_task() == 1
    assert tasks.sync_sweep_task() == 0

    assert enqueued == [(run.pk, 1)]


def test_the_beat_task_carries_a_due_run_to_the_end_once_willo_answers(threaded_sandbox):
    sandbox = threaded_sandbox
    run = waiting_run(sandbox)
    time_passes(run, seconds=BACKOFF_BASE_SECONDS)

    assert tasks.sync_sweep_task() == 1  # eager here: the task runs at once

    run.refresh_from_db()
    assert (run.state, run.resumed) == (SyncRun.State.SUCCEEDED, 1)
    assert CachedParticipant.objects.filter(team=sandbox.team).count() == willo_count(sandbox)


def test_a_task_holding_an_old_claim_does_nothing(threaded_sandbox):
    sandbox = threaded_sandbox
    run = waiting_run(sandbox)
    sync_resume(scope=sandbox.scope, run_id=run.pk)

    assert tasks.sync_task(run.pk, 0) == SyncRun.State.RUNNING

    run.refresh_from_db()
    assert (run.resumed, run.phase, run.interviews_seen) == (1, "interviews", 0)
