"""Sync against the sandbox: full, incremental, reconciliation, resuming, one at a time."""

from __future__ import annotations

import io
import random
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import timezone

from willo_integration.models import CachedInterview, CachedParticipant, Source, SyncRun
from willo_integration.sandbox import knobs, simulate
from willo_integration.sandbox.models import Interview as SandboxInterview
from willo_integration.sandbox.models import Participant as SandboxParticipant
from willo_integration.services import sync
from willo_integration.services.sync import SyncBusy, sync_resume, sync_run, sync_start

from .conftest import requires_sandbox

pytestmark = requires_sandbox


def willo_participants(sandbox) -> set[str]:
    return set(
        SandboxParticipant.objects.filter(organisation=sandbox.organisation).values_list(
            "key", flat=True
        )
    )


def cached(sandbox) -> CachedParticipant:
    return CachedParticipant.objects.filter(team=sandbox.team, scope="")


def full_sync(sandbox) -> SyncRun:
    run = sync_start(scope=sandbox.scope, kind=SyncRun.Kind.FULL)
    return sync_run(run_id=run.pk)


def test_a_full_sync_caches_every_interview_and_participant_with_details(threaded_sandbox):
    sandbox = threaded_sandbox
    seen: list[int] = []

    run = sync_run(
        run_id=sync_start(scope=sandbox.scope, kind=SyncRun.Kind.FULL).pk,
        progress=lambda r: seen.append(r.percent),
    )

    assert run.state == SyncRun.State.SUCCEEDED
    keys = willo_participants(sandbox)
    assert set(cached(sandbox).values_list("key", flat=True)) == keys
    assert not cached(sandbox).filter(detail_fetched_at__isnull=True).exists()
    assert set(cached(sandbox).values_list("source", flat=True)) == {Source.SYNC}
    assert CachedInterview.objects.filter(team=sandbox.team).count() == (
        SandboxInterview.objects.filter(organisation=sandbox.organisation).count()
    )
    assert (run.participants_seen, run.details_done) == (len(keys), len(keys))
    assert seen == sorted(seen)
    assert seen[-1] == 100
    sandbox.team.refresh_from_db()
    assert sandbox.team.last_synced_at == run.finished_at


def test_an_incremental_sync_reads_only_what_is_new(threaded_sandbox):
    sandbox = threaded_sandbox
    full_sync(sandbox)
    newcomer = simulate.invite(sandbox.organisation, random.Random(7))

    run = sync_run(run_id=sync_start(scope=sandbox.scope, kind=SyncRun.Kind.INCREMENTAL).pk)

    assert (run.kind, run.state) == (SyncRun.Kind.INCREMENTAL, SyncRun.State.SUCCEEDED)
    assert run.pages_done == 1
    assert run.details_done == 1
    row = cached(sandbox).get(key=newcomer.key)
    assert (row.status, row.detail_fetched_at is not None) == ("Invited", True)


def test_the_first_incremental_sync_is_a_full_one(threaded_sandbox):
    run = sync_start(scope=threaded_sandbox.scope, kind=SyncRun.Kind.INCREMENTAL)

    assert run.kind == SyncRun.Kind.FULL


def test_reconciliation_removes_what_willo_deleted(threaded_sandbox):
    sandbox = threaded_sandbox
    full_sync(sandbox)
    gone = SandboxParticipant.objects.filter(organisation=sandbox.organisation).first()
    gone.delete()

    run = sync_run(run_id=sync_start(scope=sandbox.scope, kind=SyncRun.Kind.RECONCILE).pk)

    assert run.participants_removed == 1
    assert set(cached(sandbox).values_list("key", flat=True)) == willo_participants(sandbox)


def test_willo_down_leaves_the_run_waiting_and_it_resumes_without_duplicates(threaded_sandbox):
    sandbox = threaded_sandbox
    run = sync_start(scope=sandbox.scope, kind=SyncRun.Kind.FULL)

    with knobs.override(error_rate=1.0):
        run = sync_run(run_id=run.pk)
    assert run.state == SyncRun.State.WAITING
    assert "Willo" in run.error

    claimed = sync_resume(scope=sandbox.scope, run_id=run.pk)
    run = sync_run(run_id=run.pk, claim=claimed.resumed)

    assert (run.state, run.resumed) == (SyncRun.State.SUCCEEDED, 1)
    assert cached(sandbox).count() == len(willo_participants(sandbox))


class WorkerKilled(Exception):
    pass


def test_a_run_whose_worker_died_is_resumed_where_it_stopped(threaded_sandbox, monkeypatch):
    sandbox = threaded_sandbox
    monkeypatch.setattr(sync, "DETAIL_CHUNK", 10)  # progress is saved every 10 details
    run = sync_start(scope=sandbox.scope, kind=SyncRun.Kind.FULL)

    def die_in_details(current: SyncRun) -> None:
        if current.phase == "details" and current.details_done:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        sync_run(run_id=run.pk, progress=die_in_details)
    with pytest.raises(SyncBusy):  # its heartbeat is fresh: it may still be working
        sync_start(scope=sandbox.scope, kind=SyncRun.Kind.FULL)

    SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    again = sync_start(scope=sandbox.scope, kind=SyncRun.Kind.INCREMENTAL)
    assert again.pk == run.pk
    done_before = again.details_done
    again = sync_run(run_id=again.pk)

    assert again.state == SyncRun.State.SUCCEEDED
    keys = willo_participants(sandbox)
    assert cached(sandbox).count() == len(keys)
    assert not cached(sandbox).filter(detail_fetched_at__isnull=True).exists()
    assert again.details_done == len(keys)  # none fetched twice
    assert 0 < done_before < len(keys)


def test_only_one_run_per_scope_can_be_running(threaded_sandbox):
    sandbox = threaded_sandbox
    sync_start(scope=sandbox.scope, kind=SyncRun.Kind.FULL)

    with pytest.raises(SyncBusy):
        sync_start(scope=sandbox.scope, kind=SyncRun.Kind.RECONCILE)
    with pytest.raises(IntegrityError):
        SyncRun.objects.create(team=sandbox.team, kind=SyncRun.Kind.RECONCILE)


def test_the_command_syncs_with_a_progress_bar(threaded_sandbox):
    out, err = io.StringIO(), io.StringIO()

    call_command("willo_sync", "--team", threaded_sandbox.team.slug, stdout=out, stderr=err)

    assert "Starting a full sync" in out.getvalue()
    assert "Done:" in out.getvalue()
    assert "100%" in err.getvalue()


def test_the_command_says_when_a_run_waiting_for_willo_is_tried_again(threaded_sandbox):
    out, err = io.StringIO(), io.StringIO()

    with knobs.override(error_rate=1.0), pytest.raises(CommandError) as stopped:
        call_command("willo_sync", "--team", threaded_sandbox.team.slug, stdout=out, stderr=err)

    run = SyncRun.objects.get(team=threaded_sandbox.team)
    due = timezone.localtime(run.next_attempt_at).strftime("%H:%M:%S")
    assert run.state == SyncRun.State.WAITING
    assert "The sync is waiting for Willo: Willo is not answering" in str(stopped.value)
    assert f"Celery beat resumes it at {due}" in str(stopped.value)


def test_the_command_names_a_missing_team(db):
    with pytest.raises(CommandError, match="No team"):
        call_command("willo_sync", "--team", "nobody")
