"""The sandbox's scheduled life under `make demo` (beat runs it every
``WILLO_SANDBOX_SIMULATE_SECONDS``): a candidate responds, is scored, commented on or
decided, and the sandbox's webhooks tell the dashboard."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from . import simulate

logger = logging.getLogger("willo_integration.sandbox")


@shared_task
def simulate_task() -> str:
    if not settings.WILLO_SANDBOX_ENABLED:
        return ""
    happened = simulate.tick()
    logger.info("sandbox: %s", happened or "no organisation has webhooks: nothing simulated")
    return happened
