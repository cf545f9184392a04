"""Members' reads of Willo: one read of an object at a time, shared for a short window,
and each member's reads counted (a team's members share its Willo rate limit)."""

from __future__ import annotations

import logging
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache

from dashboard.crypto import multi_fernet, primary_fernet
from willo_integration.services.scope import Scope

logger = logging.getLogger("willo_integration.services")

T = TypeVar("T")
READING = "reading"
POLL_SECONDS = 0.1


class ReadLimitReached(Exception):
    """The member started as many reads of Willo as a minute allows."""

    def __init__(self, *, limit: int, retry_after: int) -> None:
        self.limit = limit
        self.retry_after = retry_after
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return (
            f"You have asked Willo for fresh data {self.limit} times in the last minute, "
            f"the most one member may. Try again in {self.retry_after} seconds; "
            "everything already fetched is still shown."
        )


# Called just before a read reaches Willo; raises ReadLimitReached if the member may not.
Budget = Callable[[], None]


@dataclass(frozen=True)
class Shared(Generic[T]):
    value: T
    shared: bool  # served from a read another request made


def _marker(scope: Scope, what: str, key: str) -> str:
    return f"willo:read:{scope.team.pk}:{scope.key}:{scope.relation}:{what}:{key}"


def read_shared(
    *,
    scope: Scope,
    what: str,
    key: str,
    read: Callable[[], T],
    budget: Budget | None = None,
    secret: bool = False,
) -> Shared[T]:
    """``read()`` unless the same object is being read now or was read within
    WILLO_REFRESH_COALESCE_SECONDS: then what that read got (waiting for it if needed).

    The marker lives in the Django cache, so it holds across processes. ``budget`` is
    spent only when this call is the one reading Willo. ``secret`` values (identity
    checks) are kept encrypted with the site's key, and only for the window.
    """
    marker = _marker(scope, what, key)
    window = settings.WILLO_REFRESH_COALESCE_SECONDS
    reading_for = int(settings.WILLO_TIMEOUT_SECONDS * 3) + 5  # a stuck reader's marker expires
    deadline = time.monotonic() + reading_for
    while True:
        if cache.add(marker, READING, timeout=reading_for):
            break
        found = cache.get(marker)
        if isinstance(found, bytes):
            return Shared(value=_load(found, secret), shared=True)
        if found is None:
            continue  # expired between the two calls: try to take it
        if time.monotonic() > deadline:
            cache.set(marker, READING, timeout=reading_for)  # the reader is gone: take over
            break
        time.sleep(POLL_SECONDS)
    try:
        if budget is not None:
            budget()
        value = read()
    except BaseException:
        cache.delete(marker)
        raise
    if window > 0:
        cache.set(marker, _dump(value, secret), timeout=window)
    else:
        cache.delete(marker)
    return Shared(value=value, shared=False)


def _dump(value: object, secret: bool) -> bytes:
    data = pickle.dumps(value)
    return primary_fernet().encrypt(data) if secret else data


def _load(data: bytes, secret: bool):
    # Only this module writes these entries; secret ones are authenticated by Fernet.
    return pickle.loads(multi_fernet().decrypt(data) if secret else data)  # noqa: S301
