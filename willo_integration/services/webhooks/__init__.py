"""Willo webhooks: registering ours with Willo (``registration``), taking deliveries in
(``intake``) and applying them to the cache (``apply``)."""

from willo_integration.services.webhooks.apply import (
    APPLY_DELAY_SECONDS,
    APPLY_PENDING_FLAG,
    ApplyRun,
    webhook_apply,
    webhook_apply_pending,
    webhook_replay,
    webhook_sweep,
)
from willo_integration.services.webhooks.intake import (
    Intake,
    WebhookRejected,
    route_forget,
    webhook_receive,
)
from willo_integration.services.webhooks.registration import (
    EVENTS,
    TOKEN_LENGTH,
    token_digest,
    webhook_list,
    webhook_register,
    webhook_unregister,
    webhooks_ensure,
)

__all__ = [
    "APPLY_DELAY_SECONDS",
    "APPLY_PENDING_FLAG",
    "EVENTS",
    "TOKEN_LENGTH",
    "ApplyRun",
    "Intake",
    "WebhookRejected",
    "route_forget",
    "token_digest",
    "webhook_apply",
    "webhook_apply_pending",
    "webhook_list",
    "webhook_receive",
    "webhook_register",
    "webhook_replay",
    "webhook_sweep",
    "webhook_unregister",
    "webhooks_ensure",
]
