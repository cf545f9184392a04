"""How many reads of Willo a member may start: one count (django-ratelimit, in the shared
cache) for every view that reads Willo on a member's request, and one way to say "wait"."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from dashboard.views.scoping import safe_url, wants_partial
from willo_integration.services.reads import Budget, ReadLimitReached

logger = logging.getLogger("dashboard.limits")

READS_GROUP = "willo-member-reads"


def member_budget(request: HttpRequest) -> Budget:
    """A budget for the services: each call is one read of Willo this member starts."""
    return _budget(request, key="user", who=f"member {request.user.pk}")


def share_budget(request: HttpRequest, share_id: int) -> Budget:
    """The same limit for the reads a share's pages start, counted per share (its hiring
    manager has no account)."""
    return _budget(
        request, key=lambda _group, _request: f"share:{share_id}", who=f"share {share_id}"
    )


def _budget(request: HttpRequest, *, key, who: str) -> Budget:
    def spend() -> None:
        limit = settings.WILLO_MEMBER_REFRESHES_PER_MINUTE
        usage = get_usage(request, group=READS_GROUP, key=key, rate=f"{limit}/m", increment=True)
        if usage is not None and usage["should_limit"]:
            wait = usage["time_left"] if usage["time_left"] > 0 else 60
            logger.info("%s reached %s Willo reads a minute", who, limit)
            raise ReadLimitReached(limit=limit, retry_after=wait)

    return spend


def read_limit_response(request: HttpRequest, limit: ReadLimitReached) -> HttpResponse:
    """429 saying how long to wait: for HTMX, the message in the page's notice slot (the
    region that asked is left as it was); otherwise a page."""
    partial = wants_partial(request)
    template = "dashboard/read_limit.html"
    if partial:
        template += "#message"
    response = render(
        request,
        template,
        {"limit": limit, "back": _back(request)},
        status=429,
    )
    response["Retry-After"] = str(limit.retry_after)
    if partial:
        response["HX-Retarget"] = "#read-limit"
        response["HX-Reswap"] = "outerHTML"
    return response


def _back(request: HttpRequest) -> str:
    return safe_url(request, request.headers.get("Referer", ""))


def answers_read_limit(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view answers 429 with the message when a member is over the limit."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ReadLimitReached as limit:
            return read_limit_response(request, limit)

    return wrapped
