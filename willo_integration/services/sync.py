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
from willo_integration.services.agency import NotAChild, child_scope
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
    report = progress or (lambda _run: None)
    try:
        scope = child_scope(run.team, run.scope)
    except NotAChild as exc:  # the child was removed from the agency since
        run.state = SyncRun.State.FAILED
        run.error = str(exc)[:300]
        run.finished_at = timezone.now()
        run.save()
        report(run)
        return run
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
    if not run.scope:  # the team's own organisation; children show their runs
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

    def fetch(number: int) -> schemas.Page:
        return willo.participants.list_page(number, page_size=PAGE_SIZE, ordering=ordering)

    # Oldest first keeps page boundaries still while participants are added; a resumed
    # run re-reads its last page too, in case deletions shifted items back by a page.
    first_number = 1 if incremental else max(1, run.pages_done)
    first = fetch(first_number)
    if _store_page(run, scope, first_number, first, report) or not first.next:
        return
    # The count gives the page numbers: fetch the rest a few at a time, store in order.
    last_number = max(math.ceil((first.count or 0) / PAGE_SIZE), first_number + 1)
    numbers = range(first_number + 1, last_number + 1)
    if incremental:  # one at a time: it usually stops after a page or two
        pages = map(fetch, numbers)
    else:
        pages = willo.concurrently(fetch, numbers, max_workers=settings.WILLO_SYNC_DETAIL_WORKERS)
    for number, page in zip(numbers, pages, strict=False):
        if _store_page(run, scope, number, page, report) or not page.next:
            return


def _store_page(
    run: SyncRun, scope: Scope, number: int, page: schemas.Page, report: Progress
) -> bool:
    """Store one list page; True when an incremental run has reached what is known."""
    incremental = run.kind == SyncRun.Kind.INCREMENTAL
    keys = [item.key for item in page.results]
    known = CachedParticipant.objects.filter(
        team=scope.team, scope=scope.key, key__in=keys
    ).exists()
    for item in page.results:
        participant_store(scope=scope, payload=item, source=Source.SYNC)
    run.participants_seen += len(page.results) if number > run.pages_done else 0
    run.pages_done = max(run.pages_done, number)
    run.pages_total = max(math.ceil((page.count or 0) / PAGE_SIZE), run.pages_done)
    # Newest first: past the first participant already cached, all are older and known.
    reached_known = incremental and known
    if reached_known:
        run.pages_total = run.pages_done
    run.save()
    report(run)
    return reached_known


def _sync_details(run: SyncRun, scope: Scope, willo: WilloClient, report: Progress) -> None:
    rows = CachedParticipant.objects.filter(team=scope.team, scope=scope.key)
    if run.kind == SyncRun.Kind.FULL:
        needing = rows.exclude(detail_fetched_at__gte=run.started_at)
    else:
        needing = rows.filter(detail_fetched_at__isnull=True)
    keys = list(needing.order_by("pk").values_list("key", flat=True))
    run.details_total = run.details_done + len(keys)
    run.save()
    # One stream of requests for the whole phase (no pause between chunks); the store
    # of each answer overlaps the requests still in flight, and progress is saved
    # every DETAIL_CHUNK answers.
    fetched = willo.concurrently(
        _detail_of(willo), keys, max_workers=settings.WILLO_SYNC_DETAIL_WORKERS
    )
    before = run.details_done
    for done, (key, payload) in enumerate(zip(keys, fetched, strict=True), start=1):
        if payload is None:  # deleted in Willo since it was listed
            rows.filter(key=key).delete()
        else:
            participant_store(scope=scope, payload=payload, source=Source.SYNC)
        if done % DETAIL_CHUNK == 0 or done == len(keys):
            run.details_done = before + done
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
