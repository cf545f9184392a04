"""Willo webhooks: registering ours with Willo, taking deliveries in, applying them."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import logging
import secrets
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import pydantic
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from dashboard.models import Team
from willo_integration import schemas
from willo_integration.client import MAX_PAGE_SIZE, NotFoundError, WilloError
from willo_integration.models import (
    CachedParticipant,
    ReceivedWebhook,
    Source,
    WebhookEndpoint,
    WebhookSubscription,
)
from willo_integration.services.agency import NotAChild, child_scope
from willo_integration.services.decisions import backoff
from willo_integration.services.freshness import WilloUnavailable
from willo_integration.services.interviews import WILLO_FAILURES
from willo_integration.services.refresh import interview_store, participants_store
from willo_integration.services.scope import Scope
from willo_integration.text import storable
from willo_integration.webhook_body import MalformedWebhookBody, parse_webhook_body

logger = logging.getLogger("willo_integration.webhooks")
T = TypeVar("T")

EVENTS = [event.value for event in schemas.WebhookEventType]
TOKEN_LENGTH = 128  # Willo's maximum
# Apply the participant payload as it comes; comments and scores need the detail re-read.
PAYLOAD_EVENTS = {schemas.WebhookEventType.NEW_RESPONSE, schemas.WebhookEventType.STATUS_CHANGE}
REFRESH_EVENTS = {schemas.WebhookEventType.NEW_COMMENT, schemas.WebhookEventType.NEW_SCORE}
MAX_APPLY_ATTEMPTS = 5


class WebhookRejected(Exception):
    """A delivery we refuse; ``status`` is the HTTP answer, the message is for the log."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Intake:
    event: ReceivedWebhook
    duplicate: bool


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- registration -----------------------------------------------------------------------


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


# -- intake -----------------------------------------------------------------------------


def webhook_receive(*, route: str, authorization: str, body: bytes) -> Intake:
    """Check and store one delivery; raises WebhookRejected (401, 400) otherwise.

    The body is parsed once, after the token is checked, and refused (400) unless it is a
    shape the apply step can handle (``parse_webhook_body``). The event is stored raw and
    deduplicated; applying it is the task's job, enqueued once the row is stored. One
    INSERT, no transaction of its own: the unique constraint turns a repeated delivery,
    even a concurrent one, into "nothing inserted".
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
    transaction.on_commit(_nudge)
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
# delivery. Registering or unregistering here drops the entry at once (signals below);
# other processes see the new tokens within ROUTE_CACHE_SECONDS, and Willo retries a 401.
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


def _enqueue(event_id: int) -> None:
    """One event, on its own task (the sweep): retried with backoff while Willo is down."""
    from willo_integration.tasks import webhook_apply_task

    try:
        webhook_apply_task.delay(event_id)
    except Exception:  # the broker is down: the stored event waits for the next sweep
        logger.exception(
            "webhook event %s stored but not enqueued; the sweep will apply it", event_id
        )


# Set while a worker has been asked to apply what is stored and has not started yet.
APPLY_PENDING_FLAG = "willo-webhooks:apply-pending"
APPLY_PENDING_FLAG_SECONDS = 10  # a lost task costs at most this much delay (then the sweep)
# The run starts this long after the first delivery that asked for it: under a burst it finds
# many stored and applies them a chunk per commit, instead of a run (and its overhead) each.
APPLY_DELAY_SECONDS = 0.25
APPLY_BATCH = 200
APPLY_CHUNK = 20


def _nudge() -> None:
    """Ask a worker to apply the stored deliveries shortly, unless one is asked already: a
    burst of deliveries costs a cache write each and a task now and then, not a task each."""
    from willo_integration.tasks import webhook_apply_pending_task

    if not cache.add(APPLY_PENDING_FLAG, 1, APPLY_PENDING_FLAG_SECONDS):
        return
    try:
        webhook_apply_pending_task.apply_async(countdown=APPLY_DELAY_SECONDS)
    except Exception:  # the broker is down: the stored events wait for the sweep
        cache.delete(APPLY_PENDING_FLAG)
        logger.exception("webhook deliveries stored but not enqueued; the sweep will apply them")


def webhook_apply_pending() -> int:
    """Apply every delivery stored and due (never tried, or its retry's time has come),
    oldest first; how many were applied (or ignored as unknown).

    The flag is cleared first, so a delivery stored from now on asks for another run; two
    runs side by side share the work (a row locked by one is skipped by the other).
    A delivery waiting for Willo is not due until its ``next_attempt_at``, so it never
    holds up the deliveries behind it.
    """
    cache.delete(APPLY_PENDING_FLAG)
    done, after = 0, 0
    while True:
        ids = list(
            _due().filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:APPLY_BATCH]
        )
        if not ids:
            return done
        for start in range(0, len(ids), APPLY_CHUNK):
            events = _apply_chunk(ids[start : start + APPLY_CHUNK], skip_locked=True)
            done += sum(event.state in SETTLED for event in events)
            _touch_teams(events)
        after = ids[-1]


def _due() -> QuerySet[ReceivedWebhook]:
    """Deliveries waiting to be applied whose (next) attempt is due now."""
    return ReceivedWebhook.objects.filter(state=ReceivedWebhook.State.RECEIVED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    )


# -- applying ---------------------------------------------------------------------------

SETTLED = (ReceivedWebhook.State.APPLIED, ReceivedWebhook.State.IGNORED)


def _apply_chunk(ids: list[int], *, skip_locked: bool) -> list[ReceivedWebhook]:
    """Apply stored deliveries that are due, in one transaction (one commit, fewer WAL
    flushes for the receiver's commits to queue behind); the events, their outcome set.

    Each delivery stands alone: what one raises is rolled back to its savepoint and
    recorded on it, and the others land. Deliveries carrying the candidate are stored
    together per scope (``participants_store``: a few queries for the lot) in one
    savepoint; only if that raises are they stored again one savepoint each, to find the
    one at fault. The others re-read Willo one by one. With ``skip_locked``, rows another
    worker holds are left to it. Outcomes are written with one UPDATE each (usually one in
    all).
    """
    with transaction.atomic():
        events = list(
            # Lock the events' rows only (not the joined team's, which every event shares).
            _due()
            .select_for_update(skip_locked=skip_locked, of=("self",))
            .select_related("team")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        batches: dict[tuple[int, str], list[tuple[ReceivedWebhook, schemas.Participant]]] = {}
        for event in events:
            if schemas.WebhookEventType.from_name(event.event) not in PAYLOAD_EVENTS:
                _attempt([event], functools.partial(_apply, event), savepoint=True)
            elif participant := _attempt([event], functools.partial(_payload_of, event)):
                batches.setdefault((event.team_id, event.scope), []).append((event, participant))
        for items in batches.values():
            _store_batch(items)
        _record_outcomes(events)
    return events


def _store_batch(items: list[tuple[ReceivedWebhook, schemas.Participant]]) -> None:
    """One scope's candidate-carrying deliveries: together if they can, else one by one."""
    batch = [event for event, _ in items]
    if len(items) == 1:
        _attempt(batch, functools.partial(_store, items), savepoint=True)
        return
    try:
        with transaction.atomic():
            _store(items)
    except Exception:
        logger.info("webhook events %s: the batch failed; applying them one by one",
                    [event.pk for event in batch])  # fmt: skip
        for event in batch:  # what the failed batch recorded on them was rolled back too
            _outcome(event, ReceivedWebhook.State.RECEIVED)
        for item in items:
            _attempt([item[0]], functools.partial(_store, [item]), savepoint=True)


def _record_outcomes(events: list[ReceivedWebhook]) -> None:
    now = timezone.now()
    outcomes: dict[tuple, list[int]] = {}
    for event in events:
        # _outcome, _fail and _wait set next_attempt_at with the state.
        event.applied_at = None if event.state == ReceivedWebhook.State.RECEIVED else now
        outcome = (event.state, event.last_error, event.last_traceback, event.next_attempt_at)
        outcomes.setdefault(outcome, []).append(event.pk)
    for (state, last_error, last_traceback, next_attempt_at), pks in outcomes.items():
        ReceivedWebhook.objects.filter(pk__in=pks).update(
            state=state,
            last_error=last_error,
            last_traceback=last_traceback,
            next_attempt_at=next_attempt_at,
            attempts=F("attempts") + 1,
            applied_at=None if state == ReceivedWebhook.State.RECEIVED else now,
        )


def _payload_of(event: ReceivedWebhook) -> schemas.Participant:
    delivery = schemas.parse_webhook_delivery(json.loads(event.body))
    if isinstance(delivery, schemas.Participant):
        participant = delivery
    elif delivery.data is not None and delivery.data.participant is not None:
        participant = delivery.data.participant
    else:
        raise ValueError("no participant in the payload")
    keys = [participant.key, participant.interview.key if participant.interview else ""]
    if any(len(key) > 64 or storable(key) != key for key in keys):
        raise ValueError("the participant's or interview's key is not a Willo key")
    return participant


def _store(items: list[tuple[ReceivedWebhook, schemas.Participant]]) -> None:
    """Store the candidates of one scope's deliveries, each in its job: a job not cached
    yet (a candidate who applied through the job's public link) is read from Willo first.
    Sets the events' outcome."""
    events = [event for event, _ in items]
    scope = _scope_of(events)
    if scope is None:
        for event in events:
            _outcome(event, ReceivedWebhook.State.IGNORED)
        return
    rows = participants_store(
        scope=scope, payloads=[participant for _, participant in items], source=Source.WEBHOOK
    )
    missing = {row.interview_key for row in rows if row.interview_id is None and row.interview_key}
    waiting = _jobs_fetch(scope, missing) if missing else {}
    for event, participant in items:
        job = participant.interview.key if participant.interview else ""
        if job in waiting:
            _wait([event], waiting[job])
        else:
            _outcome(event, ReceivedWebhook.State.APPLIED)


def _jobs_fetch(scope: Scope, keys: set[str]) -> dict[str, BaseException]:
    """Read the jobs ``keys`` from Willo, store them and put their cached candidates in
    them; the jobs Willo could not be read for, with why."""
    failed: dict[str, BaseException] = {}
    try:
        with scope.client(retry=False) as willo:
            for key in sorted(keys):
                try:
                    payload = willo.interviews.retrieve(key, retry=False)
                except NotFoundError:
                    logger.info("webhook for interview %s, which Willo no longer has", key)
                    continue
                except WILLO_FAILURES as exc:
                    failed[key] = exc
                    continue
                job = interview_store(scope=scope, payload=payload, source=Source.READ, detail=True)
                CachedParticipant.objects.filter(
                    team=scope.team, scope=scope.key, interview_key=key, interview__isnull=True
                ).update(interview=job)
                logger.info("webhook for interview %s, not cached before: fetched", key)
    except WILLO_FAILURES as exc:  # no usable key: no client at all
        failed.update(dict.fromkeys(keys - failed.keys(), exc))
    return failed


def _scope_of(events: list[ReceivedWebhook]) -> Scope | None:
    """The scope the events (all of one team and scope) were delivered for; None, logged,
    when it is a child organisation the team no longer lists."""
    try:
        return child_scope(events[0].team, events[0].scope)
    except NotAChild:
        logger.info("webhook events %s are for a child no longer listed; ignored",
                    [event.pk for event in events])  # fmt: skip
        return None


def webhook_apply(*, event_id: int) -> str:
    """Apply a stored delivery to the cache once, if it is due; returns the event's state
    after ("missing" if there is no such event)."""
    events = _apply_chunk([event_id], skip_locked=False)
    if not events:  # applied, given up or not due yet
        state = ReceivedWebhook.objects.filter(pk=event_id).values_list("state", flat=True)
        return state.first() or "missing"
    _touch_teams(events)
    return events[0].state


def _touch_teams(events: list[ReceivedWebhook]) -> None:
    """Move each team's last-webhook time to its newest applied delivery; after the apply's
    commit, so concurrent applies queue on the team's row only briefly."""
    latest: dict[int, datetime] = {}
    for event in events:
        if event.applied_at:
            seen = latest.setdefault(event.team_id, event.received_at)
            latest[event.team_id] = max(seen, event.received_at)
    for team_id, received_at in latest.items():
        Team.objects.filter(pk=team_id).filter(
            Q(last_webhook_at__isnull=True) | Q(last_webhook_at__lt=received_at)
        ).update(last_webhook_at=received_at)


def _attempt(
    events: list[ReceivedWebhook], step: Callable[[], T], *, savepoint: bool = False
) -> T | None:
    """Run one step of applying ``events`` (which stand or fall together), in a savepoint
    if it writes; a state it returns becomes theirs. When Willo cannot be read they wait
    for their next attempt (failed after ``MAX_APPLY_ATTEMPTS``); anything else it raises
    fails them, with the error and its traceback. What it returned, or None if it raised.
    The caller counts the attempt."""
    try:
        with transaction.atomic() if savepoint else contextlib.nullcontext():
            result = step()
    except (_NotYet, WilloError) as exc:
        _wait(events, exc)
        return None
    except (pydantic.ValidationError, ValueError) as exc:
        for event in events:
            _fail(event, f"unreadable payload: {exc}")
        logger.warning("webhook events %s unreadable: %s", [e.pk for e in events], exc)
        return None
    except Exception as exc:
        for event in events:
            _fail(event, f"{type(exc).__name__}: {exc}")
        logger.exception("webhook events %s failed", [e.pk for e in events])
        return None
    if isinstance(result, str):
        for event in events:
            _outcome(event, result)
    return result


def _outcome(event: ReceivedWebhook, state: str) -> None:
    event.state = state
    event.last_error = event.last_traceback = ""
    event.next_attempt_at = None


def _fail(event: ReceivedWebhook, error: str) -> None:
    """Failed for good (replayable in the admin): the error, and the traceback being
    handled."""
    event.state = ReceivedWebhook.State.FAILED
    event.last_error = storable(error)[:300]
    event.last_traceback = storable(traceback.format_exc())
    event.next_attempt_at = None


def _wait(events: list[ReceivedWebhook], exc: BaseException) -> None:
    """Willo could not be read: try again after a backoff (what Willo asked for, if it
    did), or fail after the last attempt."""
    error = storable(str(exc))[:300]
    retry_after = getattr(exc, "retry_after", None)
    for event in events:
        attempts = event.attempts + 1
        if attempts >= MAX_APPLY_ATTEMPTS:
            _fail(event, error)
            continue
        event.state = ReceivedWebhook.State.RECEIVED
        event.last_error, event.last_traceback = error, ""
        event.next_attempt_at = timezone.now() + timedelta(seconds=backoff(attempts, retry_after))
    logger.warning("webhook events %s not applied yet: %s", [e.pk for e in events], error)


class _NotYet(Exception):
    """Willo could not be read now; the event is tried again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _apply(event: ReceivedWebhook) -> str:
    """Apply a delivery that does not carry the candidate (comment, score): re-read them
    from Willo. Unknown events, and events of a child no longer listed, are ignored."""
    from willo_integration.services.participants import participant_refresh

    kind = schemas.WebhookEventType.from_name(event.event)
    if kind is None:
        logger.info("webhook event %s of unknown type %r stored and ignored", event.pk, event.event)
        return ReceivedWebhook.State.IGNORED
    scope = _scope_of([event])
    if scope is None:
        return ReceivedWebhook.State.IGNORED
    if not event.participant_key:
        raise ValueError("no participant key in the payload")
    try:
        _row, freshness = participant_refresh(scope=scope, key=event.participant_key)
    except Http404:
        return ReceivedWebhook.State.IGNORED  # deleted in Willo since
    except WilloUnavailable as exc:
        raise _NotYet(str(exc), getattr(exc.__cause__, "retry_after", None)) from exc
    if freshness.notice:
        raise _NotYet(freshness.notice, freshness.retry_after)
    return ReceivedWebhook.State.APPLIED


def webhook_replay(*, event_id: int) -> str:
    """Apply a stored event again (admin): reset it to received, due now, and apply it."""
    ReceivedWebhook.objects.filter(pk=event_id).update(
        state=ReceivedWebhook.State.RECEIVED,
        attempts=0,
        last_error="",
        last_traceback="",
        next_attempt_at=None,
        applied_at=None,
    )
    return webhook_apply(event_id=event_id)


def webhook_sweep(*, older_than: timedelta = timedelta(seconds=30)) -> int:
    """Enqueue the deliveries that are due and were stored more than ``older_than`` ago:
    never applied (the broker was down, a worker died) or waiting for Willo and due for
    their next attempt."""
    cutoff = timezone.now() - older_than
    ids = list(
        _due().filter(received_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:1000]
    )
    for event_id in ids:
        _enqueue(event_id)
    return len(ids)
