"""A client-side request-rate limiter, so we stay under Willo's throttling.

pyrate-limiter does the bookkeeping (thread-safe, blocking acquire); threads
that share a client share its limiter, so bulk reads with concurrency never
exceed the configured rate.
"""

from __future__ import annotations

import math

import pyrate_limiter


class RequestLimiter:
    def __init__(self, requests_per_second: float) -> None:
        if requests_per_second <= 0:
            raise ValueError("requests_per_second must be positive")
        # Express fractional rates as "limit per interval": 2.5/s is 3 per 1.2 s.
        limit = max(1, math.ceil(requests_per_second))
        interval_ms = round(1000 * limit / requests_per_second)
        self.requests_per_second = requests_per_second
        self.rate = pyrate_limiter.Rate(limit, interval_ms)
        self._limiter = pyrate_limiter.Limiter(self.rate)

    def acquire(self) -> None:
        """Block until one more request may go out."""
        self._limiter.try_acquire("willo", blocking=True)
