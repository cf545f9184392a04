"""The receiving view for Willo's webhook deliveries: check, store, acknowledge; nothing else.

Applying the event is a Celery task, so the 2xx goes back within milliseconds.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dashboard.client_ip import client_ip_address
from willo_integration.services.webhooks import WebhookRejected, webhook_receive

logger = logging.getLogger("willo_integration.webhooks")
REFUSAL_LOG_SECONDS = 60


@csrf_exempt  # authenticated by the token Willo sends, not a session
@require_POST
def webhook_receive_view(request: HttpRequest, route: str) -> HttpResponse:
    declared = request.headers.get("Content-Length", "")
    limit = settings.WILLO_WEBHOOK_MAX_BODY_BYTES
    if declared.isdigit() and int(declared) > limit:
        return _refuse(request, WebhookRejected(413, f"body of {declared} bytes"))
    body = request.read(limit + 1)
    if len(body) > limit:
        return _refuse(request, WebhookRejected(413, f"body over {limit} bytes"))
    try:
        intake = webhook_receive(
            route=route, authorization=request.headers.get("Authorization", ""), body=body
        )
    except WebhookRejected as rejected:
        return _refuse(request, rejected)
    status = "duplicate" if intake.duplicate else "accepted"
    return JsonResponse({"status": status}, status=200 if intake.duplicate else 202)


def _refuse(request: HttpRequest, rejected: WebhookRejected) -> HttpResponse:
    """Answer the refusal; log it at most once a minute per source and reason, so a flood
    of bad deliveries costs a cache write, not a log line each."""
    source = client_ip_address(request) or "unknown"
    if cache.add(f"webhook-refused:{rejected.status}:{source}", 1, REFUSAL_LOG_SECONDS):
        logger.warning(
            "webhook delivery from %s refused (%d): %s", source, rejected.status, rejected
        )
    messages = {400: "Malformed delivery.", 401: "Unauthorized.", 413: "Body too large."}
    response = JsonResponse(
        {"detail": messages.get(rejected.status, "Refused.")}, status=rejected.status
    )
    # Logged above, or on purpose not: keep django.request from logging every refusal.
    response._has_been_logged = True
    return response
