"""A client's X-Request-ID is kept only when it is a plain token, else django-guid makes one."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("dashboard.request_id")

REQUEST_ID_META = "HTTP_X_REQUEST_ID"
ACCEPTABLE = re.compile(r"[A-Za-z0-9._-]{1,200}")


def is_acceptable_request_id(value: str) -> bool:
    """1 to 200 characters of ``[A-Za-z0-9._-]``: safe in a header and a log line."""
    return ACCEPTABLE.fullmatch(value) is not None


class RequestIdCheckMiddleware:
    """Drops an unacceptable X-Request-ID before django-guid reads it (django-guid's own
    check accepts only UUIDs, and without it anything is echoed), so a new one is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get(REQUEST_ID_META)
        if given is not None and not is_acceptable_request_id(given):
            del request.META[REQUEST_ID_META]
            request.__dict__.pop("headers", None)  # a headers view read earlier
            logger.info("X-Request-ID refused (%d characters); a new one is made", len(given))
        return self.get_response(request)
