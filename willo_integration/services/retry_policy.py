"""When to try Willo again: one backoff for decisions, webhook deliveries, re-reads and sync.

Services decide with it and record (or hand the task) the countdown; tasks only pass it
to ``self.retry``. Sync runs have no last attempt: they wait until Willo answers or a
team admin cancels them.
"""

from __future__ import annotations

import math

MAX_ATTEMPTS = 6  # a decision, a candidate's re-read
MAX_WEBHOOK_ATTEMPTS = 5  # a stored delivery, then failed (replayable in the admin)
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 600


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds before the next attempt: what Willo asked for, else exponential."""
    if retry_after is not None and retry_after > 0:
        return float(math.ceil(retry_after))
    return float(min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def retry_after(exc: BaseException | None) -> float | None:
    """What Willo asked us to wait (its Retry-After on a 429), if the error carries it."""
    return getattr(exc, "retry_after", None)


def next_attempt_in(
    attempts: int, *, retry_after: float | None = None, max_attempts: int = MAX_ATTEMPTS
) -> float | None:
    """Seconds until the attempt after ``attempts`` made, or None: that was the last."""
    if attempts >= max_attempts:
        return None
    return backoff(attempts, retry_after)
