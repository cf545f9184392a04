"""Selectors for interviews (jobs): the team home list and one job, read through the cache."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q, QuerySet, Value
from django.utils import timezone

from willo_integration.client import NotFoundError
from willo_integration.models import CachedInterview, CachedParticipant, LastVisit, Source
from willo_integration.services.cache_writer import interview_store
from willo_integration.services.errors import WILLO_FAILURES, JobNotFound, WilloUnavailable
from willo_integration.services.freshness import (
    Freshness,
    is_stale,
    log_failure,
    stale_notice,
    unavailable_message,
)
from willo_integration.services.reads import Budget, read_shared
from willo_integration.services.refresh import interview_refresh, interviews_refresh
from willo_integration.services.scope import Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger("willo_integration.services")

ORDERINGS = {
    "title": "Title A–Z",  # noqa: RUF001
    "-title": "Title Z–A",  # noqa: RUF001
    "-created_at": "Newest",
    "created_at": "Oldest",
}
_STATUS_COUNTS = {
    "count_invited": "Invited",
    "count_started": "Started",
    "count_completed": "Completed",
    "count_accepted": "Accepted",
    "count_rejected": "Rejected",
}


@dataclass
class InterviewListing:
    page: Page  # of CachedInterview, with count_* and new_responses set
    departments: list[tuple[str, str]]  # (key, name) for the filter
    freshness: Freshness


def interview_list(
    *,
    scope: Scope,
    search: str = "",
    department: str = "",
    ordering: str = "title",
    page: int | str = 1,
    per_page: int = 25,
    since: datetime | None = None,
) -> InterviewListing:
    """The scope's jobs with candidate counts per status; refreshed inline when stale."""
    freshness = _interviews_freshness(scope)
    rows = _scoped(scope)
    if search:
        rows = rows.filter(Q(title__icontains=search) | Q(department_name__icontains=search))
    if department:
        rows = rows.filter(department_key=department)
    order = ordering if ordering in ORDERINGS else "title"
    rows = rows.defer("detail").order_by(order, "pk")
    listing_page = Paginator(rows, per_page).get_page(page)
    listing_page.object_list = list(listing_page.object_list)
    _count_candidates(scope, listing_page.object_list, since)
    departments = list(
        _scoped(scope)
        .exclude(department_key="")
        .order_by("department_name", "department_key")
        .values_list("department_key", "department_name")
        .distinct()
    )
    return InterviewListing(page=listing_page, departments=departments, freshness=freshness)


def _count_candidates(scope: Scope, jobs: list[CachedInterview], since: datetime | None) -> None:
    """Set each job's ``count_*`` per status, ``count_total`` and ``new_responses``.

    One grouped query over the shown jobs' candidates, which PostgreSQL answers from the
    ``cached_part_status`` index alone (it counts no column the index lacks). Joining every
    candidate of the team to the jobs, and counting that join again for the paginator, cost
    several times more as candidates arrived.
    """
    new = Value(0)
    if since is not None:
        new = Count("responded_at", filter=Q(responded_at__gt=since))
    groups = (
        CachedParticipant.objects.filter(team=scope.team, scope=scope.key, interview__in=jobs)
        .values_list("interview_id", "status")
        .annotate(n=Count("*"), new=new)
        .order_by()
    )
    per_status: dict[int, Counter[str]] = defaultdict(Counter)
    new_responses: Counter[int] = Counter()
    for interview_id, status, n, responded in groups:
        per_status[interview_id][status] += n
        new_responses[interview_id] += responded
    for job in jobs:
        statuses = per_status[job.pk]
        job.count_total = statuses.total()
        for name, status in _STATUS_COUNTS.items():
            setattr(job, name, statuses[status])
        job.new_responses = new_responses[job.pk]


def _scoped(scope: Scope) -> QuerySet[CachedInterview]:
    return CachedInterview.objects.filter(team=scope.team, scope=scope.key)


def _interviews_freshness(scope: Scope) -> Freshness:
    oldest = _scoped(scope).aggregate(oldest=Min("fetched_at"))["oldest"]
    if not is_stale(oldest):
        return Freshness(as_of=oldest)
    try:
        interviews_refresh(scope=scope)
    except WILLO_FAILURES as exc:
        log_failure("interviews refresh", repr(scope), exc)
        return Freshness(as_of=oldest, notice=stale_notice(exc, oldest))
    return Freshness(as_of=_scoped(scope).aggregate(oldest=Min("fetched_at"))["oldest"])


def interview_cached(*, scope: Scope, key: str) -> CachedInterview | None:
    """The scope's job as cached, never read from Willo (decisions must not wait)."""
    return _scoped(scope).filter(key=key).first()


def interview_get(*, scope: Scope, key: str) -> tuple[CachedInterview, Freshness]:
    """One job; its detail is fetched inline when missing or stale (JobNotFound if Willo has none).

    Its candidates are not fetched here: pages start ``interview_refresh_start`` for that.
    """
    row = _scoped(scope).filter(key=key).first()
    if row is None or row.detail is None or is_stale(row.detail_fetched_at):
        try:
            with scope.client(retry=False) as willo:
                payload = willo.interviews.retrieve(key)
        except NotFoundError as exc:
            log_failure("interview detail", repr(scope), exc)
            if row is not None:
                row.delete()
            raise JobNotFound from None
        except WILLO_FAILURES as exc:
            log_failure("interview detail", repr(scope), exc)
            if row is None:
                raise WilloUnavailable(unavailable_message(exc)) from exc
            return row, Freshness(
                as_of=_as_of(row),
                notice=stale_notice(exc, _as_of(row)),
                refreshing=interview_refresh_running(scope=scope, key=key),
            )
        row = interview_store(scope=scope, payload=payload, source=Source.READ, detail=True)
    return row, Freshness(
        as_of=_as_of(row), refreshing=interview_refresh_running(scope=scope, key=key)
    )


def _as_of(row: CachedInterview) -> datetime | None:
    times = [t for t in (row.detail_fetched_at, row.participants_fetched_at) if t is not None]
    return min(times) if times else row.fetched_at


def last_visit_touch(
    *, user: AbstractBaseUser, scope: Scope, at: datetime | None = None
) -> datetime | None:
    """The previous time ``user`` looked at the scope's jobs; records ``at`` (now)."""
    previous = (
        LastVisit.objects.filter(user=user, team=scope.team, scope=scope.key)
        .values_list("seen_at", flat=True)
        .first()
    )
    at = at or timezone.now()
    if previous is None:
        LastVisit.objects.get_or_create(
            user=user, team=scope.team, scope=scope.key, defaults={"seen_at": at}
        )
    else:
        last_visit_extend(user=user, scope=scope, at=at)
    return previous


def last_visit_extend(*, user: AbstractBaseUser, scope: Scope, at: datetime) -> None:
    """Record that ``user``'s visit to the scope's jobs lasted until ``at``."""
    LastVisit.objects.filter(user=user, team=scope.team, scope=scope.key).update(seen_at=at)


# --- background refresh of one job's candidates ------------------------------------


def _progress_key(scope: Scope, key: str) -> str:
    return f"willo:interview-refresh:{scope.team.pk}:{scope.key}:{key}"


@dataclass(frozen=True)
class RefreshProgress:
    done: int
    total: int
    running: bool
    error: str = ""


def interview_refresh_progress(*, scope: Scope, key: str) -> RefreshProgress | None:
    """Where the latest refresh of a job's candidates is; None if none ran recently."""
    value = cache.get(_progress_key(scope, key))
    return RefreshProgress(**value) if value else None


def interview_refresh_running(*, scope: Scope, key: str) -> bool:
    progress = interview_refresh_progress(scope=scope, key=key)
    return progress is not None and progress.running


def interviews_refresh_running(*, scope: Scope, keys: list[str]) -> set[str]:
    """Which of these jobs' candidates are being fetched now: one read of the cache."""
    found = cache.get_many([_progress_key(scope, key) for key in keys])
    return {key for key in keys if (found.get(_progress_key(scope, key)) or {}).get("running")}


def interview_refresh_record(
    *, scope: Scope, key: str, done: int, total: int, running: bool, error: str = ""
) -> None:
    cache.set(
        _progress_key(scope, key),
        {"done": done, "total": total, "running": running, "error": error},
        timeout=3600,
    )


def _lock_key(scope: Scope, key: str) -> str:
    return f"willo:interview-refresh-lock:{scope.team.pk}:{scope.key}:{key}"


REFRESH_LOCK_SECONDS = 3600  # a refresh whose worker died stops blocking the next one


def interview_refresh_start(*, scope: Scope, key: str, budget: Budget | None = None) -> bool:
    """Enqueue a refresh of the job's candidates after the transaction commits; False
    (nothing started) while one is queued or running, or finished within
    WILLO_REFRESH_COALESCE_SECONDS: its result is what the page shows.

    One per job at a time across processes (``cache.add``). ``budget`` is spent only when
    a refresh starts. With eager Celery (development, tests) it runs inline on commit.
    """
    from willo_integration.tasks import interview_refresh_task

    lock = _lock_key(scope, key)
    if not cache.add(lock, "queued", timeout=REFRESH_LOCK_SECONDS):
        return False
    try:
        if budget is not None:
            budget()
    except BaseException:
        cache.delete(lock)
        raise
    interview_refresh_record(scope=scope, key=key, done=0, total=0, running=True)
    interview_refresh_task.delay_on_commit(scope.team.pk, scope.key, scope.relation, key)
    return True


def interview_refresh_finish(*, scope: Scope, key: str, ok: bool) -> None:
    """The refresh ended: a good one is not repeated within the window; after a failure
    the next click may start another at once."""
    window = settings.WILLO_REFRESH_COALESCE_SECONDS
    if ok and window > 0:
        cache.set(_lock_key(scope, key), "done", timeout=window)
    else:
        cache.delete(_lock_key(scope, key))


def interview_refresh_run(*, scope: Scope, key: str) -> int:
    """Refresh one job and its candidates (the task's body), recording progress for the
    page to poll; how many candidates. A failure of Willo is recorded for the page."""

    def progress(done: int, total: int) -> None:
        interview_refresh_record(scope=scope, key=key, done=done, total=total, running=True)

    try:
        total = interview_refresh(scope=scope, key=key, progress=progress)
    except WILLO_FAILURES as exc:
        log_failure("interview refresh", repr(scope), exc)
        interview_refresh_record(
            scope=scope, key=key, done=0, total=0, running=False, error=unavailable_message(exc)
        )
        interview_refresh_finish(scope=scope, key=key, ok=False)
        return 0
    except BaseException:
        interview_refresh_finish(scope=scope, key=key, ok=False)
        raise
    interview_refresh_record(scope=scope, key=key, done=total, total=total, running=False)
    interview_refresh_finish(scope=scope, key=key, ok=True)
    return total


def interviews_refresh_shared(*, scope: Scope, budget: Budget | None = None) -> None:
    """A member's "fetch the jobs now": shares a read in flight or done within
    WILLO_REFRESH_COALESCE_SECONDS; ``budget`` is spent only when Willo is read."""
    read_shared(
        scope=scope,
        what="interviews",
        key="",
        read=lambda: interviews_refresh(scope=scope),
        budget=budget,
    )


def interview_participants_stale(*, interview: CachedInterview) -> bool:
    """Whether a job's candidates were never fetched or are older than the cache TTL."""
    return is_stale(interview.participants_fetched_at)
