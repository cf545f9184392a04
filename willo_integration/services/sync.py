"""Sync with Willo: a first full sync, incremental syncs and periodic reconciliation.

- **full**: every interview, every participant (list pages, oldest first) and each one's
  detail; cached rows Willo no longer lists are removed.
- **incremental**: participants newest first, stopping at the page where the first
  participant already cached appears; details for the new ones.
- **reconcile** (Celery beat): the whole list again, details for rows that have none,
  and removal of what Willo deleted. Webhooks carry the changes in between.

Every request goes through one client, so its limiter bounds the rate even with the
detail requests running a few at a time; the client's retries honour Retry-After.

A run Willo stops answering waits, due again after a backoff (Retry-After when Willo gave
one); ``sync_sweep`` (Celery beat) claims the runs that are due, and those whose worker
died, for a task to carry on. A claim is a conditional update, so a run is never carried
on by two workers: one whose claim was taken (or whose run was cancelled) stops at its
next save.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from dashboard.models import Team
from willo_integration import schemas
from willo_integration.client import (
    MAX_PAGE_SIZE,
    AuthenticationError,
    NotFoundError,
    WilloClient,
)
from willo_integration.models import CachedInterview, CachedParticipant, Source, SyncRun
from willo_integration.services.agency import children_refresh
from willo_integration.services.cache_writer import interview_store, participant_store
from willo_integration.services.errors import WILLO_FAILURES, SyncNotFound
from willo_integration.services.freshness import KEY_REFUSED, failure_reason, log_failure
from willo_integration.services.retry_policy import backoff, retry_after
from willo_integration.services.scope import NotAChild, Scope, child_scope, scopes_of

logger = logging.getLogger("willo_integration.sync")

DETAIL_CHUNK = 60  # details fetched between two progress saves

Progress = Callable[[SyncRun], None]


class SyncBusy(Exception):
    """Another sync of this scope is running."""


class SyncNotWaiting(Exception):
    """The run is neither waiting for Willo nor stalled: nothing to resume or cancel."""


class _ClaimLost(Exception):
    """Another worker claimed the run, or a team admin cancelled it: this worker stops."""


def sync_start(*, scope: Scope, kind: str) -> SyncRun:
    """A new run of ``kind``, or the scope's unfinished run to resume (one waiting for
    Willo, or one whose worker died), claimed. Raises SyncBusy if a live run exists.

    An incremental sync before any full sync has succeeded is a full sync.
    """
    runs = _runs(scope)
    unfinished = runs.filter(state__in=[SyncRun.State.RUNNING, SyncRun.State.WAITING]).first()
    if unfinished is not None:
        claimed = _claim(runs, unfinished.pk)
        if claimed is None:
            raise SyncBusy(f"A {unfinished.get_kind_display().lower()} is running.")
        logger.info("sync %s of %r resumed in phase %s", claimed.pk, scope, claimed.phase)
        return claimed
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


def sync_resume(*, scope: Scope, run_id: int) -> SyncRun:
    """Try a run of the scope again now (a team admin's Resume): claimed, for a task to
    carry on. SyncNotFound if the scope has no such run; SyncNotWaiting if it is
    neither waiting for Willo nor stalled."""
    runs = _runs(scope)
    run = _run_of(runs, run_id)
    claimed = _claim(runs, run_id)
    if claimed is None:
        raise SyncNotWaiting(_not_waiting(runs.get(pk=run.pk), "nothing to resume"))
    logger.info("sync %s of %r resumed by hand in phase %s", run.pk, scope, claimed.phase)
    return claimed


def _run_of(runs: QuerySet[SyncRun], run_id: int) -> SyncRun:
    run = runs.filter(pk=run_id).first()
    if run is None:
        raise SyncNotFound
    return run


def sync_enqueue(*, run: SyncRun) -> None:
    """Hand a claimed run to a worker once the caller's writes are committed."""
    from willo_integration.tasks import sync_task

    sync_task.delay_on_commit(run.pk, run.resumed)


def sync_cancel(*, scope: Scope, run_id: int, actor: str) -> SyncRun:
    """Stop a run of the scope that waits for Willo or stalled, for good (CANCELLED, by
    ``actor``, a username); the scope is free for a new sync. SyncNotFound if the
    scope has no such run; SyncNotWaiting if it is neither waiting nor stalled."""
    runs = _runs(scope)
    run = _run_of(runs, run_id)
    now = timezone.now()
    cancelled = runs.filter(_claimable(now), pk=run_id).update(
        state=SyncRun.State.CANCELLED, cancelled_by=actor, finished_at=now, next_attempt_at=None
    )
    run = runs.get(pk=run.pk)
    if not cancelled:
        raise SyncNotWaiting(_not_waiting(run, "nothing to cancel"))
    logger.info("sync %s of %r cancelled by %s in phase %s", run.pk, scope, actor, run.phase)
    return run


def sync_sweep() -> list[SyncRun]:
    """The runs to carry on now, claimed (Celery beat): those waiting for Willo whose next
    attempt is due, and those whose worker died; one per scope."""
    now = timezone.now()
    due = SyncRun.objects.filter(
        Q(state=SyncRun.State.WAITING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        | Q(state=SyncRun.State.RUNNING, heartbeat_at__lte=now - SyncRun.STALE_HEARTBEAT)
    )
    claimed: list[SyncRun] = []
    scopes: set[tuple[int, str]] = set()
    for run_id, team_id, scope_key in due.order_by("pk").values_list("pk", "team_id", "scope"):
        if (team_id, scope_key) in scopes:
            continue
        scopes.add((team_id, scope_key))
        run = _claim(SyncRun.objects.all(), run_id)
        if run is not None:
            claimed.append(run)
    return claimed


def sync_carry_on_due() -> int:
    """Claim the runs due again (``sync_sweep``) and give each to a task; how many."""
    from willo_integration.tasks import sync_task

    runs = sync_sweep()
    for run in runs:
        sync_task.delay(run.pk, run.resumed)
    return len(runs)


def sync_reconcile_all() -> int:
    """Start a reconciliation of every team with a key, each of its scopes (an agency's
    children read again first), and give each run to a task; scopes whose sync is running
    are skipped. How many started."""
    from willo_integration.tasks import sync_task

    started = 0
    for team in Team.objects.exclude(api_key=""):
        if team.is_parent:
            try:
                children_refresh(team)
            except WILLO_FAILURES as exc:  # reconcile the children known so far
                log_failure("children refresh", team.slug, exc)
        for scope in scopes_of(team):
            try:
                run = sync_start(scope=scope, kind=SyncRun.Kind.RECONCILE)
            except SyncBusy:
                continue
            sync_task.delay(run.pk, run.resumed)
            started += 1
    return started


def sync_latest(*, scope: Scope) -> SyncRun | None:
    return _runs(scope).first()


def sync_run(*, run_id: int, claim: int | None = None, progress: Progress | None = None) -> SyncRun:
    """Carry the run on from its phase to the end, if it is RUNNING and (given ``claim``,
    the ``resumed`` count its claim left) still held by that claim. If Willo fails after
    the client's own retries, the run is left WAITING with the reason and its next attempt.
    """
    run = SyncRun.objects.select_related("team").get(pk=run_id)
    if run.state != SyncRun.State.RUNNING or claim not in (None, run.resumed):
        return run
    try:
        return _carry_on(run, progress or (lambda _run: None))
    except _ClaimLost:
        logger.info("sync %s was claimed elsewhere or cancelled; this worker stops", run.pk)
        return SyncRun.objects.get(pk=run.pk)


def _carry_on(run: SyncRun, report: Progress) -> SyncRun:
    try:
        scope = child_scope(run.team, run.scope)
    except NotAChild as exc:  # the child was removed from the agency since
        _finish(run, SyncRun.State.FAILED, error=str(exc))
        report(run)
        return run
    before = _progress_of(run)
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
        _wait(run, exc, progressed=_progress_of(run) != before)
        report(run)
        return run
    _finish(run, SyncRun.State.SUCCEEDED)
    if not run.scope:  # the team's own organisation; children show their runs
        Team.objects.filter(pk=run.team_id).update(last_synced_at=run.finished_at)
    report(run)
    logger.info(
        "sync %s of %r done: %d interviews, %d participants, %d details, %d removed",
        run.pk, scope, run.interviews_seen, run.participants_seen, run.details_done,
        run.participants_removed,
    )  # fmt: skip
    return run


def _runs(scope: Scope) -> QuerySet[SyncRun]:
    return SyncRun.objects.filter(team=scope.team, scope=scope.key)


def _claimable(now: datetime) -> Q:
    """Waiting for Willo, or RUNNING with a heartbeat too old for a live worker."""
    return Q(state=SyncRun.State.WAITING) | Q(
        state=SyncRun.State.RUNNING, heartbeat_at__lte=now - SyncRun.STALE_HEARTBEAT
    )


def _claim(runs: QuerySet[SyncRun], run_id: int) -> SyncRun | None:
    """Take a claimable run of ``runs`` for one worker: RUNNING again, its ``resumed``
    count one more (the claim). A conditional update: of two claims, one wins. None if it
    is not claimable, or another run of its scope is running."""
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = runs.filter(_claimable(now), pk=run_id).update(
                state=SyncRun.State.RUNNING,
                resumed=F("resumed") + 1,
                error="",
                next_attempt_at=None,
                heartbeat_at=now,
            )
    except IntegrityError:  # sync_run_one_running_per_scope
        return None
    return runs.get(pk=run_id) if claimed else None


def _not_waiting(run: SyncRun, what: str) -> str:
    return (
        f"This sync is not waiting for Willo (its state: {run.get_state_display()}), "
        f"so there is {what}."
    )


# What a worker saves of its run: never ``resumed``, which only a claim changes.
_SAVED = (
    "phase", "state", "finished_at", "interviews_seen", "pages_done", "pages_total",
    "participants_seen", "details_done", "details_total", "participants_removed", "error",
    "waiting_since", "waits", "next_attempt_at",
)  # fmt: skip


def _save(run: SyncRun) -> None:
    """Save the run's progress, and its heartbeat, if this worker still holds it."""
    run.heartbeat_at = timezone.now()
    saved = SyncRun.objects.filter(
        pk=run.pk, state=SyncRun.State.RUNNING, resumed=run.resumed
    ).update(heartbeat_at=run.heartbeat_at, **{name: getattr(run, name) for name in _SAVED})
    if not saved:
        raise _ClaimLost


def _progress_of(run: SyncRun) -> tuple[str, int, int]:
    return run.phase, run.pages_done, run.details_done


def _wait(run: SyncRun, exc: BaseException, *, progressed: bool) -> None:
    """Willo failed: wait, due again after a backoff (what Willo asked for, if it did). A
    run that got further since it last waited starts a new stretch of waiting."""
    now = timezone.now()
    if progressed or run.waiting_since is None:
        run.waiting_since, run.waits = now, 0
    run.waits += 1
    delay = backoff(run.waits, retry_after(exc))
    run.state = SyncRun.State.WAITING
    run.error = _reason(exc)
    run.next_attempt_at = now + timedelta(seconds=delay)
    _save(run)


def _reason(exc: BaseException) -> str:
    """Why the run waits, for a recruiter; its next try is shown beside it."""
    if isinstance(exc, AuthenticationError):
        return KEY_REFUSED
    return f"Willo is not answering ({failure_reason(exc)})."


def _finish(run: SyncRun, state: str, *, error: str = "") -> None:
    run.state = state
    run.error = error[:300]
    run.finished_at = timezone.now()
    run.waiting_since, run.waits, run.next_attempt_at = None, 0, None
    _save(run)


def _advance(run: SyncRun, phase: str) -> None:
    run.phase = phase
    _save(run)


def _sync_interviews(run: SyncRun, scope: Scope, willo: WilloClient) -> None:
    seen = 0
    for item in willo.interviews.list(page_size=MAX_PAGE_SIZE):
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
        return willo.participants.list_page(number, page_size=MAX_PAGE_SIZE, ordering=ordering)

    # Oldest first keeps page boundaries still while participants are added; a resumed
    # run re-reads its last page too, in case deletions shifted items back by a page.
    first_number = 1 if incremental else max(1, run.pages_done)
    first = fetch(first_number)
    if _store_page(run, scope, first_number, first, report) or not first.next:
        return
    # The count gives the page numbers: fetch the rest a few at a time, store in order.
    last_number = max(math.ceil((first.count or 0) / MAX_PAGE_SIZE), first_number + 1)
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
    run.pages_total = max(math.ceil((page.count or 0) / MAX_PAGE_SIZE), run.pages_done)
    # Newest first: past the first participant already cached, all are older and known.
    reached_known = incremental and known
    if reached_known:
        run.pages_total = run.pages_done
    _save(run)
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
    _save(run)
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
            _save(run)
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
    _save(run)
