"""Read-through fill of the cache: interviews, an interview's participants and their details,
read from Willo and written by the cache writer. What pages need on a miss."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.utils import timezone

from willo_integration import schemas
from willo_integration.client import MAX_PAGE_SIZE, NotFoundError, WilloClient
from willo_integration.models import CachedInterview, Source
from willo_integration.services.cache_writer import interview_store, participant_store
from willo_integration.services.scope import Scope

logger = logging.getLogger("willo_integration.services")

DETAIL_WORKERS = 4  # parallel detail requests; the client's limiter still bounds the rate


def interviews_refresh(*, scope: Scope) -> int:
    """Every interview of the scope (list pages), upserted; returns how many.

    Interviews Willo no longer lists are dropped once the whole list has been read.
    """
    started = timezone.now()
    seen: set[str] = set()
    with scope.client(retry=False) as willo:
        for item in willo.interviews.list(page_size=MAX_PAGE_SIZE):
            interview_store(scope=scope, payload=item, source=Source.READ)
            seen.add(item.key)
    CachedInterview.objects.filter(
        team=scope.team, scope=scope.key, fetched_at__lt=started
    ).exclude(key__in=seen).delete()
    return len(seen)


def interview_refresh(
    *,
    scope: Scope,
    key: str,
    details: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """The interview's detail, every participant of it and (``details``) each one's detail.

    Detail requests run a few at a time through ``WilloClient.concurrently``; rows are
    written on this thread. Returns how many participants Willo listed.
    """
    with scope.client(retry=False) as willo:
        return _interview_fill(scope, willo, key, details=details, progress=progress)


def _interview_fill(
    scope: Scope,
    willo: WilloClient,
    key: str,
    *,
    details: bool,
    progress: Callable[[int, int], None] | None,
) -> int:
    interview = interview_store(
        scope=scope,
        payload=willo.interviews.retrieve(key),
        source=Source.READ,
        detail=True,
    )
    keys: list[str] = []
    for item in willo.participants.list(interview=key, page_size=MAX_PAGE_SIZE):
        participant_store(scope=scope, payload=item, source=Source.READ, interview=interview)
        keys.append(item.key)
    total = len(keys)
    if progress:
        progress(0, total)
    if details and keys:
        fetch = _detail_fetcher(willo)
        for done, fetched in enumerate(
            willo.concurrently(fetch, keys, max_workers=DETAIL_WORKERS), start=1
        ):
            if fetched is not None:
                participant_store(
                    scope=scope, payload=fetched, source=Source.READ, interview=interview
                )
            if progress:
                progress(done, total)
    CachedInterview.objects.filter(pk=interview.pk).update(participants_fetched_at=timezone.now())
    return total


def _detail_fetcher(willo: WilloClient) -> Callable[[str], schemas.Participant | None]:
    def fetch(key: str) -> schemas.Participant | None:
        try:
            return willo.participants.retrieve(key)
        except NotFoundError:
            # Deleted between the list and the detail request.
            logger.info("willo participant %s vanished during refresh", key)
            return None

    return fetch
