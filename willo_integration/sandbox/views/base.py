"""The one wrapper every API endpoint goes through: the request log, knobs, authentication,
errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .. import knobs, request_log
from ..auth import Actor, authenticate, raw_api_key
from ..http import ApiError, error_response

logger = logging.getLogger("willo_integration.sandbox")

Handler = Callable[..., HttpResponse]


def endpoint(**handlers: Handler) -> Callable[..., HttpResponse]:
    """A view dispatching by HTTP method to ``handler(request, actor, **url_kwargs)``."""
    allowed = ", ".join([*handlers, "OPTIONS"])

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        served = request_log.arrived(request.method or "", request.path)
        current = knobs.current()
        knobs.apply_latency(current)
        try:
            client_id = raw_api_key(request) or f"anon:{request.META.get('REMOTE_ADDR', '')}"
            knobs.check_rate_limit(current, client_id)
            knobs.maybe_fail(current)
            handler = handlers.get(request.method or "")
            actor: Actor = authenticate(request)
            if handler is None:
                raise ApiError(405, {"detail": f'Method "{request.method}" not allowed.'})
            response = handler(request, actor, **kwargs)
        except ApiError as error:
            if error.status >= 500 or error.status == 429:
                logger.info("sandbox %s %s -> %s", request.method, request.path, error.status)
            response = error_response(error)
        response["Allow"] = allowed
        served.status = response.status_code
        return response

    view.sandbox_methods = tuple(handlers)  # type: ignore[attr-defined]
    return view
