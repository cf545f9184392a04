"""Registering our webhooks with Willo: the four events, each with its own token."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets

from django.urls import reverse

from willo_integration import schemas
from willo_integration.client import MAX_PAGE_SIZE, NotFoundError
from willo_integration.models import WebhookEndpoint, WebhookSubscription
from willo_integration.services.scope import Scope

logger = logging.getLogger("willo_integration.webhooks")

EVENTS = [event.value for event in schemas.WebhookEventType]
TOKEN_LENGTH = 128  # Willo's maximum
# Apply the participant payload as it comes; comments and scores need the detail re-read.
PAYLOAD_EVENTS = {schemas.WebhookEventType.NEW_RESPONSE, schemas.WebhookEventType.STATUS_CHANGE}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def webhook_register(*, scope: Scope, public_url: str) -> WebhookEndpoint:
    """Register the four events with Willo, each with its own random token, all posting to
    one callback URL unique to the team and scope. Registering again replaces them."""
    endpoint, _ = WebhookEndpoint.objects.get_or_create(
        team=scope.team, scope=scope.key, defaults={"public_url": public_url}
    )
    callback = public_url.rstrip("/") + reverse(
        "willo_webhook_receive", kwargs={"route": endpoint.route}
    )
    endpoint.public_url = callback
    endpoint.save(update_fields=["public_url"])
    with scope.client() as willo:
        _unregister_at_willo(willo, endpoint)
        for event in EVENTS:
            token = secrets.token_urlsafe(96)[:TOKEN_LENGTH]
            extra = {}
            if event in PAYLOAD_EVENTS:  # Willo allows it only for these
                extra["payload_configuration"] = {
                    "return_transcripts": True,
                    "return_summary": True,
                }
            webhook = willo.webhooks.create(
                url=callback, event=event, token=token, follow_all_interviews=True, **extra
            )
            WebhookSubscription.objects.update_or_create(
                endpoint=endpoint,
                event=event,
                defaults={"willo_key": webhook.key, "token_digest": token_digest(token)},
            )
    logger.info("webhooks registered for %r at %s", scope, callback)
    return endpoint


def webhooks_ensure(*, scope: Scope, public_url: str) -> bool:
    """Register the four events unless Willo already holds every one of ours for this
    callback; True when they were registered now (idempotent: `make demo` on every run)."""
    endpoint = WebhookEndpoint.objects.filter(team=scope.team, scope=scope.key).first()
    if endpoint is not None:
        callback = public_url.rstrip("/") + reverse(
            "willo_webhook_receive", kwargs={"route": endpoint.route}
        )
        ours = {s.event: s.willo_key for s in endpoint.subscriptions.all() if s.willo_key}
        if endpoint.public_url == callback and set(ours) == set(EVENTS):
            held = {(w.key, w.url) for w in webhook_list(scope=scope)}
            if all((key, callback) in held for key in ours.values()):
                return False
    webhook_register(scope=scope, public_url=public_url)
    return True


def webhook_unregister(*, scope: Scope) -> int:
    """Delete the scope's webhooks at Willo and here; returns how many were registered."""
    endpoint = WebhookEndpoint.objects.filter(team=scope.team, scope=scope.key).first()
    if endpoint is None:
        return 0
    with scope.client() as willo:
        count = _unregister_at_willo(willo, endpoint)
    endpoint.delete()
    return count


def _unregister_at_willo(willo, endpoint: WebhookEndpoint) -> int:
    subscriptions = list(endpoint.subscriptions.all())
    for subscription in subscriptions:
        if subscription.willo_key:
            with contextlib.suppress(NotFoundError):  # already gone at Willo
                willo.webhooks.delete(subscription.willo_key)
        subscription.delete()
    return len(subscriptions)


def webhook_list(*, scope: Scope) -> list[schemas.Webhook]:
    """The webhooks Willo holds for the scope's organisation (ours and any others)."""
    with scope.client() as willo:
        return list(willo.webhooks.list(page_size=MAX_PAGE_SIZE))
