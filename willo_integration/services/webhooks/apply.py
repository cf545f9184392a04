"""Applying stored deliveries to the cache: a batch run, its one way to a worker, the sweep.

A worker is reached one way: ``webhook_apply_pending_task``, which applies a batch of what
is stored and due and re-enqueues itself while more waits. The receiver asks for it on
commit (at most one run waiting at a time); the beat's sweep asks for it when deliveries
stored a while ago are still due (the broker was down, a worker died, or they waited for
Willo and their next attempt has come).
"""

from __future__ import annotations

import json
import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

import pydantic
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from dashboard.models import Team
from willo_integration import schemas
from willo_integration.client import NotFoundError, WilloError
from willo_integration.models import CachedParticipant, ReceivedWebhook, Source
from willo_integration.services.cache_writer import (
    interview_store,
    participants_store,
    willo_comment_store,
    willo_score_store,
)
from willo_integration.services.errors import WILLO_FAILURES, ParticipantNotFound, WilloUnavailable
from willo_integration.services.retry_policy import (
    MAX_WEBHOOK_ATTEMPTS,
    next_attempt_in,
    retry_after,
)
from willo_integration.services.scope import NotAChild, Scope, child_scope
from willo_integration.services.webhooks.registration import PAYLOAD_EVENTS
from willo_integration.text import storable

logger = logging.getLogger("willo_integration.webhooks")

State = ReceivedWebhook.State
SETTLED = (State.APPLIED, State.IGNORED)

# Set while a run has been asked for and has not started yet.
APPLY_PENDING_FLAG = "willo-webhooks:apply-pending"
APPLY_PENDING_FLAG_SECONDS = 10  # a lost task costs at most this much delay (then the sweep)
# The run starts this long after the first delivery that asked for it: under a burst it finds
# many stored and applies them a chunk per commit, instead of a run (and its overhead) each.
APPLY_DELAY_SECONDS = 0.25
APPLY_BATCH = 200  # a run's share; then it re-enqueues itself while more waits
APPLY_CHUNK = 20  # deliveries a commit
SWEEP_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class Outcome:
    """What one attempt at a delivery came to. RECEIVED: not yet, Willo could not be read
    (``retry_after``: what Willo asked for); the error and traceback say why."""

    state: str
    error: str = ""
    traceback: str = ""
    retry_after: float | None = None


APPLIED = Outcome(State.APPLIED)
IGNORED = Outcome(State.IGNORED)


@dataclass(frozen=True)
class ApplyRun:
    """What a batch run did: deliveries applied (or ignored as unknown), and, when more
    waits, the countdown for the next run (None: done, or another run is asked for)."""

    applied: int
    next_run_in: float | None = None


class _NotYet(Exception):
    """Willo could not be read now; the delivery is tried again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# -- reaching a worker ------------------------------------------------------------------


def webhook_apply_soon() -> None:
    """Ask for a run shortly, unless one is asked for already (the receiver, on commit): a
    burst of deliveries costs a cache write each and a task now and then, not a task each."""
    if cache.add(APPLY_PENDING_FLAG, 1, APPLY_PENDING_FLAG_SECONDS):
        _enqueue(countdown=APPLY_DELAY_SECONDS)


def webhook_sweep(*, older_than: timedelta = SWEEP_AFTER) -> int:
    """Ask for a run over the deliveries that are due and were stored more than
    ``older_than`` ago (the beat): never applied (the broker was down, a worker died) or
    waiting for Willo and due for their next attempt. How many there are."""
    cutoff = timezone.now() - older_than
    count = _due(received_before=cutoff)[:1000].count()
    if count:
        _enqueue(received_before=cutoff)
    return count


def _enqueue(*, countdown: float | None = None, received_before: datetime | None = None) -> None:
    from willo_integration.tasks import webhook_apply_pending_task

    options: dict = {}
    if countdown is not None:
        options["countdown"] = countdown
    if received_before is not None:
        options["kwargs"] = {"received_before": received_before.isoformat()}
    try:
        webhook_apply_pending_task.apply_async(**options)
    except Exception:  # the broker is down: the stored events wait for the sweep
        cache.delete(APPLY_PENDING_FLAG)
        logger.exception("webhook deliveries stored but not enqueued; the sweep will apply them")


def webhook_apply_pending(*, received_before: datetime | None = None) -> ApplyRun:
    """Apply up to APPLY_BATCH deliveries stored (before ``received_before``, the sweep's)
    and due (never tried, or their retry's time has come), oldest first, a chunk a commit.

    The receiver's run clears the flag first, so a delivery stored from now on asks for
    another run; two runs side by side share the work (a row locked by one is skipped by
    the other). A delivery waiting for Willo is not due until its ``next_attempt_at``, so
    it never holds up the deliveries behind it.
    """
    if received_before is None:
        cache.delete(APPLY_PENDING_FLAG)
    ids = list(
        _due(received_before=received_before)
        .order_by("pk")
        .values_list("pk", flat=True)[:APPLY_BATCH]
    )
    applied = tried = 0
    for start in range(0, len(ids), APPLY_CHUNK):
        events = _apply_chunk(ids[start : start + APPLY_CHUNK], skip_locked=True)
        applied += sum(event.state in SETTLED for event in events)
        tried += len(events)
        _touch_teams(events)
    if len(ids) < APPLY_BATCH or not tried:  # all locked: the run holding them goes on
        return ApplyRun(applied=applied)
    # More waits: the sweep's run carries itself on, the receiver's unless one is asked for.
    if received_before is None and not cache.add(APPLY_PENDING_FLAG, 1, APPLY_PENDING_FLAG_SECONDS):
        return ApplyRun(applied=applied)
    return ApplyRun(applied=applied, next_run_in=0)


def _due(*, received_before: datetime | None = None) -> QuerySet[ReceivedWebhook]:
    """Deliveries waiting to be applied whose (next) attempt is due now."""
    due = ReceivedWebhook.objects.filter(state=State.RECEIVED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    )
    return due if received_before is None else due.filter(received_at__lt=received_before)


# -- one delivery -----------------------------------------------------------------------


def webhook_apply(*, event_id: int) -> str:
    """Apply a stored delivery to the cache once, if it is due; returns the event's state
    after ("missing" if there is no such event)."""
    events = _apply_chunk([event_id], skip_locked=False)
    if not events:  # applied, given up or not due yet
        state = ReceivedWebhook.objects.filter(pk=event_id).values_list("state", flat=True)
        return state.first() or "missing"
    _touch_teams(events)
    return events[0].state


def webhook_replay(*, event_id: int) -> str:
    """Apply a stored event again (admin): reset it to received, due now, and apply it."""
    ReceivedWebhook.objects.filter(pk=event_id).update(
        state=State.RECEIVED,
        attempts=0,
        last_error="",
        last_traceback="",
        next_attempt_at=None,
        applied_at=None,
    )
    return webhook_apply(event_id=event_id)


# -- a chunk ----------------------------------------------------------------------------


def _apply_chunk(ids: list[int], *, skip_locked: bool) -> list[ReceivedWebhook]:
    """Apply stored deliveries that are due, in one transaction (one commit, fewer WAL
    flushes for the receiver's commits to queue behind); the events, their outcome set.

    Each delivery stands alone: what one raises is rolled back to its savepoint and
    recorded on it, and the others land. Deliveries carrying the candidate are stored
    together per scope (``participants_store``: a few queries for the lot) in one
    savepoint; only if that raises are they stored again one savepoint each, to find the
    one at fault. The others re-read Willo one by one (and store the comment or score
    they bring). With ``skip_locked``, rows another worker holds are left to it. Outcomes
    are written with one UPDATE each (usually one in all).
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
                try:
                    with transaction.atomic():
                        outcome = _reread(event)
                except Exception as exc:
                    outcome = _failure([event], exc)
                _settle(event, outcome)
                continue
            try:
                participant = _payload_of(event)
            except Exception as exc:
                _settle(event, _failure([event], exc))
                continue
            batches.setdefault((event.team_id, event.scope), []).append((event, participant))
        for items in batches.values():
            _store_batch(items)
        _record_outcomes(events)
    return events


def _failure(events: list[ReceivedWebhook], exc: Exception) -> Outcome:
    """What an exception raised while applying ``events`` makes of them: waiting while
    Willo cannot be read, else failed with the error and its traceback."""
    trace = "".join(traceback.format_exception(exc))
    pks = [event.pk for event in events]
    if isinstance(exc, _NotYet | WilloError):
        return Outcome(State.RECEIVED, str(exc), trace, retry_after(exc))
    if isinstance(exc, pydantic.ValidationError | ValueError):
        logger.warning("webhook events %s unreadable: %s", pks, exc)
        return Outcome(State.FAILED, f"unreadable payload: {exc}", trace)
    logger.exception("webhook events %s failed", pks)
    return Outcome(State.FAILED, f"{type(exc).__name__}: {exc}", trace)


def _settle(event: ReceivedWebhook, outcome: Outcome) -> None:
    """Put the outcome on the event (written by ``_record_outcomes``). One waiting for
    Willo is due again after the backoff, or failed after the last attempt."""
    event.state = outcome.state
    event.last_error = storable(outcome.error)[:300]
    event.last_traceback = storable(outcome.traceback)
    event.next_attempt_at = None
    if outcome.state != State.RECEIVED:
        return
    countdown = next_attempt_in(
        event.attempts + 1, retry_after=outcome.retry_after, max_attempts=MAX_WEBHOOK_ATTEMPTS
    )
    if countdown is None:
        event.state = State.FAILED  # replayable in the admin
        return
    event.last_traceback = ""
    event.next_attempt_at = timezone.now() + timedelta(seconds=countdown)
    logger.warning("webhook events %s not applied yet: %s", [event.pk], event.last_error)


def _record_outcomes(events: list[ReceivedWebhook]) -> None:
    now = timezone.now()
    outcomes: dict[tuple, list[int]] = {}
    for event in events:
        event.applied_at = None if event.state == State.RECEIVED else now
        outcome = (event.state, event.last_error, event.last_traceback, event.next_attempt_at)
        outcomes.setdefault(outcome, []).append(event.pk)
    for (state, last_error, last_traceback, next_attempt_at), pks in outcomes.items():
        ReceivedWebhook.objects.filter(pk__in=pks).update(
            state=state,
            last_error=last_error,
            last_traceback=last_traceback,
            next_attempt_at=next_attempt_at,
            attempts=F("attempts") + 1,
            applied_at=None if state == State.RECEIVED else now,
        )


# -- deliveries carrying the candidate (new_response, status_change) ----------------------


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


def _store_batch(items: list[tuple[ReceivedWebhook, schemas.Participant]]) -> None:
    """One scope's candidate-carrying deliveries: together if they can, else one by one."""
    if len(items) == 1:
        _store_each(items)
        return
    try:
        with transaction.atomic():
            outcomes = _store(items)
    except Exception:
        logger.info("webhook events %s: the batch failed; applying them one by one",
                    [event.pk for event, _ in items])  # fmt: skip
        _store_each(items)
        return
    for (event, _), outcome in zip(items, outcomes, strict=True):
        _settle(event, outcome)


def _store_each(items: list[tuple[ReceivedWebhook, schemas.Participant]]) -> None:
    for item in items:
        event = item[0]
        try:
            with transaction.atomic():
                (outcome,) = _store([item])
        except Exception as exc:
            outcome = _failure([event], exc)
        _settle(event, outcome)


def _store(items: list[tuple[ReceivedWebhook, schemas.Participant]]) -> list[Outcome]:
    """Store the candidates of one scope's deliveries, each in its job: a job not cached
    yet (a candidate who applied through the job's public link) is read from Willo first.
    The deliveries' outcomes, in order."""
    scope = _scope_of([event for event, _ in items])
    if scope is None:
        return [IGNORED] * len(items)
    rows = participants_store(
        scope=scope, payloads=[participant for _, participant in items], source=Source.WEBHOOK
    )
    missing = {row.interview_key for row in rows if row.interview_id is None and row.interview_key}
    waiting = _jobs_fetch(scope, missing) if missing else {}
    outcomes = []
    for _event, participant in items:
        job = participant.interview.key if participant.interview else ""
        if job in waiting:
            exc = waiting[job]
            trace = "".join(traceback.format_exception(exc))
            outcomes.append(Outcome(State.RECEIVED, str(exc), trace, retry_after(exc)))
        else:
            outcomes.append(APPLIED)
    return outcomes


def _jobs_fetch(scope: Scope, keys: set[str]) -> dict[str, BaseException]:
    """Read the jobs ``keys`` from Willo, store them and put their cached candidates in
    them; the jobs Willo could not be read for, with why."""
    failed: dict[str, BaseException] = {}
    try:
        with scope.client(retry=False) as willo:
            for key in sorted(keys):
                try:
                    payload = willo.interviews.retrieve(key)
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


# -- deliveries that need the candidate re-read (new_comment, new_score, unknown) ----------

FEEDBACK_EVENTS = frozenset(
    {schemas.WebhookEventType.NEW_COMMENT, schemas.WebhookEventType.NEW_SCORE}
)


def _reread(event: ReceivedWebhook) -> Outcome:
    """Apply a delivery that does not carry the candidate (comment, score): re-read them
    from Willo (their average score moves), and store the comment or score it brings.
    Unknown events, and events of a child no longer listed, are ignored.

    The comment or score is stored even while Willo cannot be read (the delivery waits
    for the re-read, and stores it again, unchanged, when tried again), and for a
    candidate not cached (it shows once they are); not for one Willo no longer has.
    """
    kind = schemas.WebhookEventType.from_name(event.event)
    if kind is None:
        logger.info("webhook event %s of unknown type %r stored and ignored", event.pk, event.event)
        return IGNORED
    scope = _scope_of([event])
    if scope is None:
        return IGNORED
    if not event.participant_key:
        raise ValueError("no participant key in the payload")
    try:
        _refresh(scope, event.participant_key)
    except ParticipantNotFound:
        return IGNORED  # deleted in Willo since: their comment or score is not kept either
    except _NotYet as exc:
        outcome = _failure([event], exc)
    else:
        outcome = APPLIED
    if kind in FEEDBACK_EVENTS:
        _feedback_store(scope, event, kind)
    return outcome


def _refresh(scope: Scope, key: str) -> None:
    """Re-read the candidate; _NotYet while Willo cannot be read."""
    from willo_integration.services.participants import participant_refresh

    try:
        _row, freshness = participant_refresh(scope=scope, key=key)
    except WilloUnavailable as exc:
        raise _NotYet(str(exc), retry_after(exc.__cause__)) from exc
    if freshness.notice:
        raise _NotYet(freshness.notice, freshness.retry_after)


def _feedback_store(scope: Scope, event: ReceivedWebhook, kind: schemas.WebhookEventType) -> None:
    """Store the comment or score an ``evt_`` envelope carries (none: nothing to store)."""
    delivery = schemas.parse_webhook_delivery(json.loads(event.body))
    data = delivery.data if isinstance(delivery, schemas.WebhookEvent) else None
    if data is None:
        return
    participant_key = data.participant.key if data.participant else event.participant_key
    if kind == schemas.WebhookEventType.NEW_COMMENT and data.comment is not None:
        willo_comment_store(
            scope=scope,
            participant_key=participant_key,
            comment=data.comment,
            fallback_key=delivery.id,
        )
    elif kind == schemas.WebhookEventType.NEW_SCORE and data.score is not None:
        willo_score_store(
            scope=scope, participant_key=participant_key, score=data.score, fallback_key=delivery.id
        )


# -- shared ------------------------------------------------------------------------------


def _scope_of(events: list[ReceivedWebhook]) -> Scope | None:
    """The scope the events (all of one team and scope) were delivered for; None, logged,
    when it is a child organisation the team no longer lists."""
    try:
        return child_scope(events[0].team, events[0].scope)
    except NotAChild:
        logger.info("webhook events %s are for a child no longer listed; ignored",
                    [event.pk for event in events])  # fmt: skip
        return None


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
