"""Accept and reject: recorded locally first, then sent to Willo; never lost, never faked.

A decision is PENDING until Willo confirms it (SENT). Throttling, 5xx and lost
connections leave it PENDING and a Celery task sends it again; a refusal (4xx) or
running out of attempts makes it FAILED with a message a recruiter can read.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from dashboard.crypto import KeyDecryptionError
from dashboard.models import Decision, MissingAPIKeyError
from willo_integration.client import (
    APIConnectionError,
    APIStatusError,
    InternalServerError,
    RateLimitError,
    RequestOutcomeUnknownError,
    ResponseValidationError,
    WilloError,
)
from willo_integration.models import CachedParticipant, Source
from willo_integration.services.changes import changes_mark
from willo_integration.services.freshness import log_failure
from willo_integration.services.refresh import participant_store
from willo_integration.services.scope import Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger("willo_integration.services")

DECISION_STATUSES = (Decision.Status.ACCEPTED.value, Decision.Status.REJECTED.value)
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 600


@dataclass(frozen=True)
class SendOutcome:
    """What one attempt did, and whether (and when, and how) to try again."""

    decision: Decision | None  # None: no such decision (deleted with its team)
    retry: bool = False
    countdown: float = 0
    check_first: bool = False  # the last attempt may have reached Willo: re-read before re-sending


def participant_decide(
    *,
    scope: Scope,
    participant_key: str,
    status: str,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
) -> Decision:
    """Record an accept or reject, then send it to Willo once; retried in the background."""
    _check_status(status)
    with transaction.atomic():
        decision = _record(
            scope=scope,
            participant_key=participant_key,
            participant_name=_names(scope, [participant_key]).get(participant_key, ""),
            status=status,
            actor=actor,
            ip_address=ip_address,
        )
    outcome = _attempt(decision, scope, check_first=False)
    if outcome.retry:
        _enqueue(outcome, scope)
    return decision


def participants_decide(
    *,
    scope: Scope,
    participant_keys: list[str],
    status: str,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
) -> list[Decision]:
    """Record the same decision for several candidates; each is sent by its own task."""
    _check_status(status)
    keys = list(dict.fromkeys(k for k in participant_keys if k))
    names = _names(scope, keys)
    with transaction.atomic():
        decisions = [
            _record(
                scope=scope,
                participant_key=key,
                participant_name=names.get(key, ""),
                status=status,
                actor=actor,
                ip_address=ip_address,
            )
            for key in keys
        ]
        for decision in decisions:
            _enqueue(SendOutcome(decision=decision, retry=True), scope)
    ids = [d.pk for d in decisions]
    by_id = Decision.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids]


def decision_retry(*, scope: Scope, decision_id: int, actor: AbstractBaseUser | None) -> Decision:
    """Send a FAILED decision again (a new attempt); other states are returned unchanged."""
    decision = Decision.objects.filter(pk=decision_id, team=scope.team, scope=scope.key).first()
    if decision is None:
        raise Http404("No such decision.")
    if decision.state != Decision.State.FAILED:
        return decision
    decision.state = Decision.State.PENDING
    decision.last_error = ""
    decision.save(update_fields=["state", "last_error", "updated_at"])
    logger.info(
        "decision %s retried by %s",
        decision.pk,
        actor.get_username() if actor is not None and actor.is_authenticated else "system",
    )
    # The failed attempt may have reached Willo after all: read before re-sending.
    outcome = _attempt(decision, scope, check_first=True)
    if outcome.retry:
        _enqueue(outcome, scope)
    return decision


def decision_send(
    *, scope: Scope, decision_id: int, check_first: bool = False, final: bool = False
) -> SendOutcome:
    """One attempt at a PENDING decision (the task's body); ``final`` turns a retry into FAILED."""
    decision = Decision.objects.filter(pk=decision_id, team=scope.team, scope=scope.key).first()
    if decision is None or decision.state != Decision.State.PENDING:
        return SendOutcome(decision=decision)
    outcome = _attempt(decision, scope, check_first=check_first)
    if outcome.retry and final:
        _fail(
            decision,
            f"Willo did not confirm it after {decision.attempts} attempts: {decision.last_error}",
        )
        return SendOutcome(decision=decision)
    return outcome


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds before the next attempt: what Willo asked for, else exponential."""
    if retry_after is not None and retry_after > 0:
        return float(math.ceil(retry_after))
    return float(min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _check_status(status: str) -> None:
    if status not in DECISION_STATUSES:
        raise ValueError(f"A decision is 'Accepted' or 'Rejected', not {status!r}.")


def _names(scope: Scope, keys: list[str]) -> dict[str, str]:
    return dict(
        CachedParticipant.objects.filter(
            team=scope.team, scope=scope.key, key__in=keys
        ).values_list("key", "name")
    )


def _record(
    *,
    scope: Scope,
    participant_key: str,
    participant_name: str,
    status: str,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
) -> Decision:
    authenticated = actor is not None and actor.is_authenticated
    decision = Decision(
        team=scope.team,
        scope=scope.key,
        participant_key=participant_key,
        participant_name=participant_name[:200],
        status=status,
        actor=actor if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        ip_address=ip_address,
        state=Decision.State.PENDING,
    )
    decision.full_clean()
    decision.save()
    return decision


def _attempt(decision: Decision, scope: Scope, *, check_first: bool) -> SendOutcome:
    started = timezone.now()
    decision.attempts += 1
    decision.save(update_fields=["attempts", "updated_at"])
    key = decision.participant_key
    try:
        with scope.client(retry=False) as willo:
            if check_first:
                current = willo.participants.retrieve(key, retry=False)
                participant_store(scope=scope, payload=current, source=Source.READ)
                if str(current.status or "") == decision.status:
                    logger.info(
                        "decision %s had already reached Willo; not sent again", decision.pk
                    )
                    return _sent(decision, scope, changed_at=current.status_changed_at or started)
            willo.participants.partial_update(key, status=decision.status, retry=False)
    except (RequestOutcomeUnknownError, ResponseValidationError) as exc:
        # Willo may have applied it: the next attempt reads the participant first.
        return _pending(decision, exc, check_first=True)
    except RateLimitError as exc:
        return _pending(decision, exc, check_first=check_first, retry_after=exc.retry_after)
    except (InternalServerError, APIConnectionError) as exc:
        sent = not isinstance(exc, APIConnectionError) or exc.request_sent
        return _pending(decision, exc, check_first=check_first or sent)
    except APIStatusError as exc:
        log_failure(f"decision {decision.pk}", repr(scope), exc)
        return _fail(decision, f"Willo refused it: {_willo_message(exc)}")
    except WilloError as exc:
        log_failure(f"decision {decision.pk}", repr(scope), exc)
        return _fail(decision, f"Could not send it to Willo: {exc}")
    except (MissingAPIKeyError, KeyDecryptionError) as exc:
        log_failure(f"decision {decision.pk}", repr(scope), exc)
        return _fail(decision, "The team has no usable Willo API key; ask a team admin.")
    return _sent(decision, scope, changed_at=started)


def _sent(decision: Decision, scope: Scope, *, changed_at: datetime) -> SendOutcome:
    decision.state = Decision.State.SENT
    decision.sent_at = timezone.now()
    decision.last_error = ""
    decision.save(update_fields=["state", "sent_at", "last_error", "updated_at"])
    changes_mark(scope=scope, participant_keys=[decision.participant_key])
    # Never over a newer change the cache already knows of.
    CachedParticipant.objects.filter(
        team=scope.team, scope=scope.key, key=decision.participant_key
    ).filter(Q(status_changed_at__isnull=True) | Q(status_changed_at__lte=changed_at)).update(
        status=decision.status,
        status_changed_at=changed_at,
        status_changed_by=scope.team.key_verified_user_email,
    )
    logger.info("decision %s sent to Willo after %s attempt(s)", decision.pk, decision.attempts)
    return SendOutcome(decision=decision)


def _pending(
    decision: Decision,
    exc: BaseException,
    *,
    check_first: bool,
    retry_after: float | None = None,
) -> SendOutcome:
    log_failure(f"decision {decision.pk}", f"team {decision.team_id}", exc)
    decision.last_error = _reason(exc)[:300]
    decision.save(update_fields=["last_error", "updated_at"])
    return SendOutcome(
        decision=decision,
        retry=True,
        countdown=backoff(decision.attempts, retry_after),
        check_first=check_first,
    )


def _fail(decision: Decision, message: str) -> SendOutcome:
    decision.state = Decision.State.FAILED
    decision.last_error = message[:300]
    decision.save(update_fields=["state", "last_error", "updated_at"])
    logger.warning("decision %s failed: %s", decision.pk, decision.last_error)
    changes_mark(
        scope=Scope(team=decision.team, child_key=decision.scope),
        participant_keys=[decision.participant_key],
    )
    return SendOutcome(decision=decision)


def _enqueue(outcome: SendOutcome, scope: Scope) -> None:
    from willo_integration.tasks import decision_send_task

    assert outcome.decision is not None
    decision_send_task.apply_async_on_commit(
        args=[outcome.decision.pk],
        kwargs={"relation": scope.relation, "check_first": outcome.check_first},
        countdown=outcome.countdown,
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RateLimitError):
        return "Willo is rate limiting us; it will be sent again shortly."
    if isinstance(exc, RequestOutcomeUnknownError | ResponseValidationError):
        return "Willo did not confirm it; checking and sending again."
    if isinstance(exc, InternalServerError):
        return f"Willo failed (HTTP {exc.status_code}); it will be sent again shortly."
    return "Willo is not answering; it will be sent again shortly."


def _willo_message(exc: APIStatusError) -> str:
    """Willo's own words, without the endpoint: e.g. "Willo refused the request: status: ..."."""
    return str(exc).partition(f"HTTP {exc.status_code}: ")[2] or f"HTTP {exc.status_code}"
