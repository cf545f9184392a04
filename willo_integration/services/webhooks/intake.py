"""The intake hot path: check a delivery's token, store it raw once, ask for the apply."""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass

from django.db import connection, transaction

from willo_integration import schemas
from willo_integration.models import ReceivedWebhook, WebhookEndpoint
from willo_integration.services.webhooks.apply import webhook_apply_soon
from willo_integration.services.webhooks.registration import token_digest
from willo_integration.webhook_body import MalformedWebhookBody, parse_webhook_body

logger = logging.getLogger("willo_integration.webhooks")


class WebhookRejected(Exception):
    """A delivery we refuse; ``status`` is the HTTP answer, the message is for the log."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Intake:
    event: ReceivedWebhook
    duplicate: bool


def webhook_receive(*, route: str, authorization: str, body: bytes) -> Intake:
    """Check and store one delivery; raises WebhookRejected (401, 400) otherwise.

    The body is parsed once, after the token is checked, and refused (400) unless it is a
    shape the apply step can handle (``parse_webhook_body``). The event is stored raw and
    deduplicated; applying it is the batch task's job, asked for once the row is stored.
    One INSERT, no transaction of its own: the unique constraint turns a repeated
    delivery, even a concurrent one, into "nothing inserted".
    """
    target = _route_target(route)
    subscription_event = _authenticated(target, authorization)
    try:
        delivery = parse_webhook_body(body)
    except MalformedWebhookBody as exc:
        raise WebhookRejected(400, str(exc)) from None
    event = delivery.event_type if delivery.envelope else subscription_event
    event = (schemas.WebhookEventType.from_name(event) or event or "unknown")[:64]
    if delivery.envelope:
        dedupe_key = f"evt:{delivery.event_id}"
    else:
        dedupe_key = f"sha256:{hashlib.sha256(body).hexdigest()}"
    row = ReceivedWebhook(
        team_id=target.team_id,
        scope=target.scope,
        endpoint_id=target.endpoint_id,
        event=event,
        dedupe_key=dedupe_key[:140],
        participant_key=delivery.participant_key[:64],
        body=delivery.text,
    )
    row.pk = _insert_once(row)
    if row.pk is None:
        logger.info("webhook %s %s: a repeated delivery, acknowledged", event, dedupe_key)
        return Intake(event=row, duplicate=True)
    transaction.on_commit(webhook_apply_soon)
    return Intake(event=row, duplicate=False)


@dataclass(frozen=True)
class _RouteTarget:
    """What a callback route stands for: the endpoint's team and scope, and the digest of
    each subscription's token."""

    endpoint_id: int
    team_id: int
    scope: str
    digests: tuple[tuple[str, str], ...]  # (event, token digest)
    expires: float


# Per process, for ROUTE_CACHE_SECONDS: the intake's only reads, spared on nearly every
# delivery. Registering or unregistering here drops the entry at once (signals.py); other
# processes see the new tokens within ROUTE_CACHE_SECONDS, and Willo retries a 401.
ROUTE_CACHE_SECONDS = 10.0
_ROUTES: dict[str, _RouteTarget] = {}
_ROUTES_MAX = 1000


def _route_target(route: str) -> _RouteTarget | None:
    now = time.monotonic()
    cached = _ROUTES.get(route)
    if cached is not None and cached.expires > now:
        return cached
    endpoint = WebhookEndpoint.objects.filter(route=route).prefetch_related("subscriptions").first()
    if endpoint is None:
        _ROUTES.pop(route, None)
        return None
    if len(_ROUTES) >= _ROUTES_MAX:
        _ROUTES.clear()
    _ROUTES[route] = target = _RouteTarget(
        endpoint_id=endpoint.pk,
        team_id=endpoint.team_id,
        scope=endpoint.scope,
        digests=tuple((s.event, s.token_digest) for s in endpoint.subscriptions.all()),
        expires=now + ROUTE_CACHE_SECONDS,
    )
    return target


def route_forget(route: str) -> None:
    """Drop a route's cached tokens in this process (its subscriptions changed)."""
    _ROUTES.pop(route, None)


def _authenticated(target: _RouteTarget | None, authorization: str) -> str:
    """The event of the subscription whose token was offered; WebhookRejected(401) else."""
    if target is None:
        raise WebhookRejected(401, "unknown webhook route")
    offered = token_digest(authorization.strip())
    match = None
    for event, digest in target.digests:
        # Every subscription is compared, in constant time, whichever matches.
        if hmac.compare_digest(digest, offered):
            match = event
    if match is None:
        raise WebhookRejected(401, "bad webhook token")
    return match


def _insert_once(row: ReceivedWebhook) -> int | None:
    """INSERT the row unless its (team, scope, event, dedupe key) is stored already; the
    new id, or None for a repeated delivery. PostgreSQL and SQLite both speak this."""
    fields = _insert_fields()
    values = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), values)
        inserted = cursor.fetchone()
    return inserted[0] if inserted else None


@functools.cache
def _insert_fields() -> list:
    return [f for f in ReceivedWebhook._meta.concrete_fields if not f.primary_key]


@functools.cache
def _insert_sql(vendor: str) -> str:
    """Built once per database vendor: identifiers from the model's own metadata, every
    value a parameter."""
    qn = connection.ops.quote_name
    fields = _insert_fields()
    return (
        f"INSERT INTO {qn(ReceivedWebhook._meta.db_table)} "  # noqa: S608
        f"({', '.join(qn(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        "ON CONFLICT (team_id, scope, event, dedupe_key) DO NOTHING RETURNING id"
    )
