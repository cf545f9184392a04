"""How fresh the data a page shows is, and what to say when Willo is not answering."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from willo_integration.client import (
    APIConnectionError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    WilloError,
)

logger = logging.getLogger("willo_integration.services")


@dataclass(frozen=True)
class Freshness:
    as_of: datetime | None  # when the shown data was fetched from Willo (oldest relevant)
    notice: str = ""  # "" when fresh; else why the data may be old
    refreshing: bool = False  # a background refresh is running or enqueued
    retry_after: float | None = None  # seconds Willo asked to wait, when it was throttled


def is_stale(fetched_at: datetime | None) -> bool:
    if fetched_at is None:
        return True
    return timezone.now() - fetched_at > timedelta(seconds=settings.WILLO_CACHE_TTL_SECONDS)


def failure_reason(exc: BaseException) -> str:
    """Why Willo did not answer, in words for a recruiter."""
    if isinstance(exc, RateLimitError):
        return "rate limited"
    if isinstance(exc, AuthenticationError):
        return "the team's API key was refused"
    if isinstance(exc, PermissionDeniedError):
        return "permission denied"
    if isinstance(exc, NotFoundError):
        return "not found"
    if isinstance(exc, APIConnectionError):
        return "no answer"
    if isinstance(exc, WilloError):
        return "error"
    return "not configured"


KEY_REFUSED = "Willo refused this team's API key: a team admin must replace the key."


def stale_notice(exc: BaseException, as_of: datetime | None) -> str:
    reason = failure_reason(exc)
    if isinstance(exc, AuthenticationError):
        return KEY_REFUSED  # waiting would not help; the date shows beside it already
    if as_of is None:
        return f"Willo is not answering ({reason}); showing what is cached."
    local = timezone.localtime(as_of)
    when = (
        local.strftime("%H:%M")
        if local.date() == timezone.localdate()
        else (local.strftime("%d %b %Y %H:%M"))
    )
    return f"Willo is not answering ({reason}); showing data as of {when}."


def unavailable_message(exc: BaseException) -> str:
    if isinstance(exc, AuthenticationError):
        return KEY_REFUSED
    return f"Willo is not answering ({failure_reason(exc)}); try again in a minute."


def log_failure(what: str, scope_repr: str, exc: BaseException) -> None:
    """One line per Willo failure: what we tried, for whom, and the error class and endpoint."""
    endpoint = getattr(exc, "endpoint", "")
    status = getattr(exc, "status_code", "")
    logger.warning(
        "willo %s failed for %s: %s %s %s", what, scope_repr, type(exc).__name__, endpoint, status
    )
