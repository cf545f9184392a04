"""Realism knobs: added latency, a per-key rate limit and injected 5xx errors.

Configured from ``settings.SANDBOX_KNOBS`` (a dict with the field names below, from the
``WILLO_SANDBOX_*`` environment variables) and changed at run time by the ``serve``
command, the staff's Sandbox page (``change()``, logged) or tests (``configure()`` /
``override()``). Everything is process-wide and thread-safe.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace

from django.conf import settings

from .http import ApiError

logger = logging.getLogger("willo_integration.sandbox")


@dataclass(frozen=True)
class Knobs:
    latency_ms: float = 0.0
    # Requests allowed per key in each rate_window_s; None switches the limit off.
    rate_limit: int | None = None
    rate_window_s: float = 1.0
    # Probability (0..1) that a request fails with an injected 5xx.
    error_rate: float = 0.0
    error_seed: int | None = None
    # Webhook delivery: "thread" (background pool) or "sync" (inside the request).
    webhook_mode: str = "thread"
    webhook_max_attempts: int = 5
    webhook_backoff_base_s: float = 1.0
    webhook_timeout_s: float = 5.0
    # Used to build absolute media links when there is no request (simulate).
    public_base_url: str = "http://127.0.0.1:8000/api/integrations/v2"


_lock = threading.Lock()
_current: Knobs | None = None
_hits: dict[str, deque[float]] = {}
_rng = random.Random()


def current() -> Knobs:
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = defaults()
    return _current


def configure(**changes: object) -> Knobs:
    """Replace some knobs for the whole process; returns the new set."""
    global _current
    new = replace(current(), **changes)
    with _lock:
        _current = new
        _hits.clear()
        if "error_seed" in changes:
            _rng.seed(new.error_seed)
    return new


def change(*, by: str, **changes: object) -> Knobs:
    """Change the weather at run time (the staff's Sandbox page): logged, who and what."""
    before = current()
    after = configure(**changes)
    logger.info(
        "sandbox knobs changed by %s: %s",
        by,
        ", ".join(
            f"{name} {getattr(before, name)!r} -> {getattr(after, name)!r}" for name in changes
        )
        or "nothing",
    )
    return after


def defaults() -> Knobs:
    """The knobs as the settings (the environment) give them, whatever was changed since."""
    names = {f.name for f in fields(Knobs)}
    configured = getattr(settings, "SANDBOX_KNOBS", {}) or {}
    return Knobs(**{k: v for k, v in configured.items() if k in names})


def reset() -> None:
    global _current
    with _lock:
        _current = None
        _hits.clear()


@contextmanager
def override(**changes: object) -> Iterator[Knobs]:
    previous = current()
    try:
        yield configure(**changes)
    finally:
        global _current
        with _lock:
            _current = previous
            _hits.clear()


def apply_latency(knobs: Knobs) -> None:
    if knobs.latency_ms > 0:
        time.sleep(knobs.latency_ms / 1000)


def check_rate_limit(knobs: Knobs, client_id: str) -> None:
    """A sliding window per API key; 429 with Retry-After (whole seconds) when full."""
    if knobs.rate_limit is None:
        return
    now = time.monotonic()
    with _lock:
        window = _hits.setdefault(client_id, deque())
        while window and now - window[0] >= knobs.rate_window_s:
            window.popleft()
        if len(window) >= knobs.rate_limit:
            wait = knobs.rate_window_s - (now - window[0])
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429,
                {"detail": f"Request was throttled. Expected available in {retry_after} seconds."},
                headers={"Retry-After": str(retry_after)},
            )
        window.append(now)


def maybe_fail(knobs: Knobs) -> None:
    if knobs.error_rate <= 0:
        return
    with _lock:
        roll = _rng.random()
        status = _rng.choice((500, 502, 503))
    if roll < knobs.error_rate:
        raise ApiError(status, {"detail": "Injected sandbox failure."})
