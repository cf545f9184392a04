"""Sync with Willo: a first full sync, incremental syncs and periodic reconciliation.

- **full**: every interview, every participant (list pages, oldest first) and each one's
  detail; cached rows Willo no longer lists are removed.
- **incremental**: participants newest first, stopping at the page where the first
  participant already cached appears; details for the new ones.
- **reconcile** (Celery beat): the whole list again, details for rows that have none,
  and removal of what Willo deleted. Webhooks carry the changes in between.

Every request goes through one client, so its limiter bounds the rate even with the
detail requests running a few at a time; the client's retries honour Retry-After.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dashboard.models import Team
from willo_integration import schemas
from willo_integration.client import NotFoundError, WilloClient
from willo_integration.models import CachedInterview, CachedParticipant, Source, SyncRun
from willo_integration.services.freshness import log_failure, unavailable_message
from willo_integration.services.interviews import WILLO_FAILURES
from willo_integration.services.refresh import interview_store, participant_store
from willo_integration.services.scope import Scope

logger = logging.getLogger("willo_integration.sync")

PAGE_SIZE = 30  # Willo's maximum
DETAIL_CHUNK = 60  # details fetched between two progress saves
# A RUNNING run whose heartbeat is older than this lost its worker: the next start resumes it.
STALE_HEARTBEAT = timedelta(minutes=5)

Progress = Callable[[SyncRun], None]


class SyncBusy(Exception):
    """Another sync of this scope is running."""


def sync_start(*, scope: Scope, kind: str) -> SyncRun:
    """A new run of ``kind``, or the scope's unfinished run to resume (one waiting for
    Willo, or one whose worker died). Raises SyncBusy if a live run exists.

    An incremental sync before any full sync has succeeded is a full sync.
    """
    runs = SyncRun.objects.filter(team=scope.team, scope=scope.key)
    with transaction.atomic():
        unfinished = (
            runs.select_for_update()
            .filter(state__in=[SyncRun.State.RUNNING, SyncRun.State.WAITING])
            .first()
        )
        if unfinished is not None:
            alive = timezone.now() - unfinished.heartbeat_at < STALE_HEARTBEAT
            if unfinished.state == SyncRun.State.RUNNING and alive:
                raise SyncBusy(f"A {unfinished.get_kind_display().lower()} is running.")
            unfinished.state = SyncRun.State.RUNNING
            unfinished.resumed += 1
            unfinished.error = ""
            unfinished.save()
            logger.info("sync %s of %r resumed in phase %s", unfinished.pk, scope, unfinished.phase)
            return unfinished
    if (
        kind == SyncRun.Kind.INCREMENTAL
        and not runs.filter(kind=SyncRun.Kind.FULL, state=SyncRun.State.SUCCEEDED).exists()
    ):
        kind = SyncRun.Kind.FULL
    try:
        with transaction.atomic():
            return SyncRun.objects.create(team=scope.team, scope=scope.key, kind=kind)
    except IntegrityError:  # another process started one between our check and insert
        raise SyncBusy("A sync is running.") from None


def sync_resume(*, run_id: int) -> bool:
    """Put a run waiting for Willo back to RUNNING (the task's retry); False if it was not
    waiting."""
    resumed = SyncRun.objects.filter(pk=run_id, state=SyncRun.State.WAITING).update(
        state=SyncRun.State.RUNNING, resumed=F("resumed") + 1, error=""
    )
    return bool(resumed)


def sync_latest(*, scope: Scope) -> SyncRun | None:
    return SyncRun.objects.filter(team=scope.team, scope=scope.key).first()


def sync_run(*, run_id: int, progress: Progress | None = None) -> SyncRun:
    """Carry the run on from its phase to the end. If Willo fails after the client's own
    retries, the run is left WAITING with the reason, to be resumed later."""
    run = SyncRun.objects.select_related("team").get(pk=run_id)
    if run.state != SyncRun.State.RUNNING:
        return run
    scope = Scope(team=run.team)  # agency scopes: issue 7
    report = progress or (lambda _run: None)
    try:
        with scope.client(retry=True) as willo:
            if run.phase == "interviews":
                _sync_interviews(run, scope, willo)
                _advance(run, "participants")
            if run.phase == "participants":
                _sync_participant_pages(run, scope, willo, report)
                _advance(run, "details")
            if run.phase == "details":
                _sync_details(run, scope, willo, report)
                _advance(run, "cleanup")
            if run.phase == "cleanup" and run.kind != SyncRun.Kind.INCREMENTAL:
                _remove_vanished(run, scope)
    except WILLO_FAILURES as exc:
        log_failure(f"sync {run.pk}", repr(scope), exc)
        run.state = SyncRun.State.WAITING
        run.error = unavailable_message(exc)[:300]
        run.save()
        report(run)
        return run
    run.state = SyncRun.State.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    Team.objects.filter(pk=run.team_id).update(last_synced_at=run.finished_at)
    report(run)
    logger.info(
        "sync %s of %r done: %d interviews, %d participants, %d details, %d removed",
        run.pk, scope, run.interviews_seen, run.participants_seen, run.details_done,
        run.participants_removed,
    )  # fmt: skip
    return run


def _advance(run: SyncRun, phase: str) -> None:
    run.phase = phase
    run.save()


def _sync_interviews(run: SyncRun, scope: Scope, willo: WilloClient) -> None:
    seen = 0
    for item in willo.interviews.list(page_size=PAGE_SIZE):
        interview_store(scope=scope, payload=item, source=Source.SYNC)
        seen += 1
    run.interviews_seen = seen
    if run.kind != SyncRun.Kind.INCREMENTAL:
        CachedInterview.objects.filter(
            team=scope.team, scope=scope.key, fetched_at__lt=run.started_at
        ).delete()


def _sync_participant_pages(
    run: SyncRun, scope: Scope, willo: WilloClient, report: Progress
) -> None:
    incremental = run.kind == SyncRun.Kind.INCREMENTAL
    ordering = "-created_at" if incremental else "created_at"
    # Oldest first keeps page boundaries still while participants are added; a resumed
    # run re-reads its last page too, in case deletions shifted items back by a page.
    page_number = 1 if incremental else max(1, run.pages_done)
    while True:
        page = willo.participants.list_page(page_number, page_size=PAGE_SIZE, ordering=ordering)
        keys = [item.key for item in page.results]
        known = set(
            CachedParticipant.objects.filter(
                team=scope.team, scope=scope.key, key__in=keys
            ).values_list("key", flat=True)
        )
        for item in page.results:
            participant_store(scope=scope, payload=item, source=Source.SYNC)
        run.participants_seen += len(page.results) if page_number > run.pages_done else 0
        run.pages_done = max(run.pages_done, page_number)
        run.pages_total = max(math.ceil((page.count or 0) / PAGE_SIZE), run.pages_done)
        # Newest first: past the first participant already cached, all are older and known.
        reached_known = incremental and bool(known)
        if reached_known:
            run.pages_total = run.pages_done
        run.save()
        report(run)
        if not page.next or reached_known:
            return
        page_number += 1


def _sync_details(run: SyncRun, scope: Scope, willo: WilloClient, report: Progress) -> None:
    rows = CachedParticipant.objects.filter(team=scope.team, scope=scope.key)
    if run.kind == SyncRun.Kind.FULL:
        needing = rows.exclude(detail_fetched_at__gte=run.started_at)
    else:
        needing = rows.filter(detail_fetched_at__isnull=True)
    run.details_total = run.details_done + needing.count()
    run.save()
    last_pk = 0
    workers = settings.WILLO_SYNC_DETAIL_WORKERS
    while True:
        chunk = list(
            needing.filter(pk__gt=last_pk).order_by("pk").values_list("pk", "key")[:DETAIL_CHUNK]
        )
        if not chunk:
            return
        last_pk = chunk[-1][0]
        keys = [key for _pk, key in chunk]
        for key, payload in zip(
            keys, willo.concurrently(_detail_of(willo), keys, max_workers=workers), strict=True
        ):
            if payload is None:  # deleted in Willo since it was listed
                rows.filter(key=key).delete()
            else:
                participant_store(scope=scope, payload=payload, source=Source.SYNC)
        run.details_done += len(chunk)
        run.save()
        report(run)


def _detail_of(willo: WilloClient) -> Callable[[str], schemas.Participant | None]:
    def fetch(key: str) -> schemas.Participant | None:
        try:
            return willo.participants.retrieve(key)
        except NotFoundError:
            return None

    return fetch


def _remove_vanished(run: SyncRun, scope: Scope) -> None:
    """Rows neither listed by this run nor written since it started are gone from Willo."""
    removed, _ = CachedParticipant.objects.filter(
        team=scope.team, scope=scope.key, fetched_at__lt=run.started_at
    ).delete()
    run.participants_removed = removed
    run.save()
