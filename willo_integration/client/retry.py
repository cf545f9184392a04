"""When and how long to wait before sending a request to Willo again.

The machinery is tenacity's; this module only decides *what* is retryable:

- GET is retried on 429, 5xx and transport errors.
- PUT, PATCH and DELETE only where Willo cannot have acted on the request:
  a connection that was never made, or a 429 (Willo refused it unprocessed).
- POST only where the request was never sent; a POST is never re-sent once it
  may have reached Willo.

A ``Retry-After`` header (seconds or an HTTP date) sets the wait; otherwise
exponential backoff with jitter. Attempts and the total wait are capped, so a
web request never sleeps for long: a wait beyond the cap raises at once and
the caller (a Celery task) retries with a countdown instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import tenacity

from .errors import APIConnectionError, InternalServerError, RateLimitError

IDEMPOTENT_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """How the client retries. ``sleep`` and ``now`` are injectable for tests."""

    max_retries: int = 2
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    jitter: float = 0.5
    max_total_wait: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    now: Callable[[], datetime] = field(default=_utcnow, repr=False)

    def retrying(self, method: str) -> tenacity.Retrying:
        backoff = tenacity.wait_exponential_jitter(
            multiplier=self.backoff_initial, max=self.backoff_max, jitter=self.jitter
        )
        return tenacity.Retrying(
            retry=tenacity.retry_if_exception(lambda exc: is_retryable(method, exc)),
            wait=_RetryAfterOr(backoff, now=self.now),
            stop=tenacity.stop_after_attempt(self.max_retries + 1) | _TotalWaitExceeds(self),
            sleep=self.sleep,
            reraise=True,
        )


NO_RETRY = RetryPolicy(max_retries=0)


def is_retryable(method: str, exc: BaseException) -> bool:
    if isinstance(exc, APIConnectionError):
        return method in IDEMPOTENT_READS or not exc.request_sent
    if isinstance(exc, RateLimitError):
        return method != "POST"
    if isinstance(exc, InternalServerError):
        return method in IDEMPOTENT_READS
    return False


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header; None if absent, invalid or in the past."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    return seconds if seconds > 0 else None


class _RetryAfterOr(tenacity.wait.wait_base):
    """Wait what Willo asked for, else fall back to exponential backoff."""

    def __init__(self, fallback: tenacity.wait.wait_base, *, now: Callable[[], datetime]) -> None:
        self.fallback = fallback
        self.now = now

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, RateLimitError) and exc.retry_after is not None:
            return exc.retry_after
        return self.fallback(retry_state)


class _TotalWaitExceeds(tenacity.stop.stop_base):
    """Stop when the next sleep would take the total wait past the policy's cap."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.cap = policy.max_total_wait

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        upcoming = retry_state.upcoming_sleep or 0.0
        return retry_state.idle_for + upcoming > self.cap
