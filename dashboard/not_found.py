"""The one place a service's NotFound becomes an HTTP 404, with the service's words."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse

from willo_integration.services.errors import NotFound

logger = logging.getLogger("dashboard.not_found")


class NotFoundMiddleware:
    """Views let a service's ``NotFound`` (no such job, candidate, decision or sync in the
    requester's scope) propagate; it is answered as Django answers ``Http404``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, NotFound):
            return None
        logger.info("%s %s: %s", request.method, request.path, exception)
        return response_for_exception(request, Http404(str(exception)))
