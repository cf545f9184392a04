"""Accept and reject: recorded at once, sent to Willo by a task once the undo window closes.

No web request waits for Willo. A decision is PENDING from the moment it is recorded:
for ``WILLO_DECISION_UNDO_SECONDS`` Willo has not heard of it and *Undo* cancels it; then a
task claims it (a lease on the row, so two workers never send it at once and a killed
worker's claim runs out) and sends it. Throttling, 5xx and lost connections leave it
PENDING with its next attempt due after a backoff that honours Retry-After; a refusal
(4xx) or running out of attempts makes it FAILED with a message a recruiter can read. The
beat sweep sends whatever is due that no task will (broker down, worker killed, eager
mode), so nothing stays pending for good. After an attempt whose outcome is unknown, the
next one reads the candidate first and does not send again what Willo already has.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from dashboard.crypto import KeyDecryptionError
from dashboard.models import (
    Decision,
    MissingAPIKeyError,
    Team,
    actor_label,
    actor_user,
    actor_username,
)
from willo_integration import schemas
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
from willo_integration.services.blind import candidates_reveal_on_decision
from willo_integration.services.cache_writer import participant_store, participants_store
from willo_integration.services.changes import changes_mark
from willo_integration.services.decision_emails import (
    WHY_CANCELLED,
    emails_cancel_for_candidates,
    emails_cancel_for_decisions,
    emails_release,
)
from willo_integration.services.errors import DecisionNotFound
from willo_integration.services.freshness import log_failure
from willo_integration.services.retry_policy import next_attempt_in
from willo_integration.services.scope import NotAChild, Scope, child_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger("willo_integration.services")

DECISION_STATUSES = tuple(Decision.Status.values)
# With a worker, each decision's own task sends it on time; the sweep takes what is overdue
# by this much (its task was lost), so it does not race the tasks that are on their way.
SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500


class DecisionNotUndoable(Exception):
    """The decision has been sent (or is being sent), so it can only be changed now."""


@dataclass(frozen=True)
class SendOutcome:
    """What one attempt did, and whether (and when) to try again."""

    decision: Decision | None  # None: not claimed (missing, not due, or another has it)
    retry: bool = False
    countdown: float = 0


# -- what a page shows of the decisions ---------------------------------------------------


def participant_latest_decision(*, scope: Scope, participant_key: str) -> Decision | None:
    return (
        Decision.objects.filter(team=scope.team, scope=scope.key, participant_key=participant_key)
        .order_by("-created_at", "-pk")
        .first()
    )


def participant_decisions(*, scope: Scope, participant_key: str) -> list[Decision]:
    """Every decision on the candidate, newest first (a change after a sent one included)."""
    return list(
        Decision.objects.filter(
            team=scope.team, scope=scope.key, participant_key=participant_key
        ).order_by("-created_at", "-pk")
    )


def participants_latest_decisions(*, scope: Scope, keys: Iterable[str]) -> dict[str, Decision]:
    """The newest local decision of each candidate in ``keys``, in one query."""
    latest: dict[str, Decision] = {}
    rows = Decision.objects.filter(
        team=scope.team, scope=scope.key, participant_key__in=list(keys)
    ).order_by("participant_key", "-created_at", "-pk")
    for decision in rows:
        latest.setdefault(decision.participant_key, decision)
    return latest


def decisions_list(*, scope: Scope, decision_ids: Iterable[int]) -> list[Decision]:
    """The scope's decisions among ``decision_ids`` (others' are left out), by candidate name."""
    return list(
        Decision.objects.filter(
            team=scope.team, scope=scope.key, pk__in=list(decision_ids)
        ).order_by("participant_name", "pk")
    )


def participant_decide(
    *,
    scope: Scope,
    participant_key: str,
    status: str,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
) -> Decision:
    """Record an accept or reject, to be sent once its undo window has passed."""
    return participants_decide(
        scope=scope,
        participant_keys=[participant_key],
        status=status,
        actor=actor,
        ip_address=ip_address,
    )[0]


def participants_decide(
    *,
    scope: Scope,
    participant_keys: list[str],
    status: str,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
) -> list[Decision]:
    """Record the same decision for several candidates at once; none waits for Willo.

    A candidate's earlier decision that has not been sent yet is replaced (SUPERSEDED), so
    Willo only ever hears the latest.
    """
    _check_status(status)
    keys = list(dict.fromkeys(k for k in participant_keys if k))
    if not keys:
        return []
    names = _names(scope, keys)
    now = timezone.now()
    window = undo_seconds()
    due = now + timedelta(seconds=window)
    username = actor_label(actor)
    with transaction.atomic():
        _supersede(scope=scope, participant_keys=keys, by=username, at=now)
        emails_cancel_for_candidates(
            scope=scope, participant_keys=keys, reason=WHY_CANCELLED[Decision.State.SUPERSEDED]
        )
        decisions = Decision.objects.bulk_create(
            Decision(
                team=scope.team,
                scope=scope.key,
                relation=scope.relation,
                participant_key=key,
                participant_name=names.get(key, "")[:200],
                status=status,
                actor=actor_user(actor),
                actor_username=actor_username(actor),
                ip_address=ip_address,
                state=Decision.State.PENDING,
                send_after=due,
                next_attempt_at=due,
            )
            for key in keys
        )
        if actor is not None:
            candidates_reveal_on_decision(scope=scope, participant_keys=keys, viewer=actor)
        changes_mark(scope=scope, participant_keys=keys)
        _send_after_window([d.pk for d in decisions], countdown=window)
    logger.info(
        "%d decision(s) %s recorded by %s in %r; sent in %d s unless undone",
        len(decisions), status, username, scope, window,
    )  # fmt: skip
    return decisions


def decision_undo(*, scope: Scope, decision_id: int, actor: AbstractBaseUser | None) -> Decision:
    """Cancel a decision Willo has not heard of; DecisionNotUndoable once sending started."""
    decisions = Decision.objects.filter(pk=decision_id, team=scope.team, scope=scope.key)
    undone = decisions.filter(
        state=Decision.State.PENDING, attempts=0, sending_until__isnull=True
    ).update(
        state=Decision.State.UNDONE,
        undone_at=timezone.now(),
        undone_by_username=actor_label(actor),
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    decision = decisions.first()
    if decision is None:
        raise DecisionNotFound
    if not undone:
        raise DecisionNotUndoable(_not_undoable(decision))
    emails_cancel_for_decisions(
        decision_ids=[decision.pk],
        reason=WHY_CANCELLED[Decision.State.UNDONE],
        by=actor_label(actor),
    )
    changes_mark(scope=scope, participant_keys=[decision.participant_key])
    logger.info("decision %s undone by %s before it was sent", decision.pk, actor_label(actor))
    return decision


@dataclass(frozen=True)
class UndoOutcome:
    """What *Undo all* did: the decisions undone, and each one that could not be, with why."""

    undone: list[Decision]
    refused: list[tuple[Decision, str]]


def decisions_undo(
    *, scope: Scope, decision_ids: list[int], actor: AbstractBaseUser | None
) -> UndoOutcome:
    """Undo each of a bulk decision that Willo has not heard of; DecisionNotFound if none is
    the scope's."""
    ids = list(
        Decision.objects.filter(team=scope.team, scope=scope.key, pk__in=decision_ids)
        .order_by("participant_name", "pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise DecisionNotFound
    undone: list[Decision] = []
    refused: list[tuple[Decision, str]] = []
    for decision_id in ids:
        try:
            undone.append(decision_undo(scope=scope, decision_id=decision_id, actor=actor))
        except DecisionNotUndoable as exc:
            refused.append((Decision.objects.get(pk=decision_id), str(exc)))
    return UndoOutcome(undone=undone, refused=refused)


def decision_retry(*, scope: Scope, decision_id: int, actor: AbstractBaseUser | None) -> Decision:
    """Send a FAILED decision again, a fresh series of attempts; other states unchanged."""
    decision = Decision.objects.filter(pk=decision_id, team=scope.team, scope=scope.key).first()
    if decision is None:
        raise DecisionNotFound
    if decision.state != Decision.State.FAILED:
        return decision
    _reopen(Decision.objects.filter(pk=decision.pk))
    decision.refresh_from_db()
    changes_mark(scope=scope, participant_keys=[decision.participant_key])
    logger.info("decision %s retried by %s", decision.pk, actor_label(actor))
    _send_after_window([decision.pk], countdown=0)
    return decision


def decision_send(*, decision_id: int) -> SendOutcome:
    """One attempt at a decision that is due (the task's body): claim, send, record."""
    decision = _claim(decision_id)
    if decision is None:
        return SendOutcome(decision=None)
    try:
        scope = child_scope(decision.team, decision.scope, decision.relation)
    except NotAChild as exc:
        return _fail(decision, f"Not sent: {exc}")
    outcome = _attempt(decision, scope)
    if outcome.retry:
        _send_after_window([decision.pk], countdown=outcome.countdown)
    return outcome


def decisions_sweep() -> int:
    """Send every decision that is due and that no task will send; the number enqueued."""
    grace = timedelta(0) if _eager() else SWEEP_GRACE
    due = list(_due(timezone.now() - grace).values_list("pk", flat=True)[:SWEEP_BATCH])
    _enqueue(due, countdown=0)
    return len(due)


def decisions_resend(*, decision_ids: list[int]) -> int:
    """Send these again soon, by a task (the admin's action): failed ones reopened, pending
    ones past their undo window without waiting for their backoff. How many were due."""
    ids = list(_make_due(Decision.objects.filter(pk__in=decision_ids)))
    _send_after_window(ids, countdown=0)
    return len(ids)


def decisions_send_waiting(*, team: Team | None = None) -> Counter[str]:
    """Send now, in this process, every decision that is waiting (failed ones again, pending
    ones without their backoff): the operator's ``willo_decisions retry``. The states after."""
    decisions = Decision.objects.all() if team is None else Decision.objects.filter(team=team)
    states: Counter[str] = Counter()
    for decision_id in _make_due(decisions):
        outcome = decision_send(decision_id=decision_id)
        if outcome.decision is None:  # another worker has it in hand
            states["sending"] += 1
        else:
            states[outcome.decision.state] += 1
    return states


def undo_seconds() -> int:
    return max(0, int(settings.WILLO_DECISION_UNDO_SECONDS))


def lease_seconds() -> int:
    """How long an attempt may take: a read and a write, each within Willo's timeout."""
    return int(3 * settings.WILLO_TIMEOUT_SECONDS) + 5


def _check_status(status: str) -> None:
    if status not in DECISION_STATUSES:
        either = " or ".join(repr(choice) for choice in DECISION_STATUSES)
        raise ValueError(f"A decision is {either}, not {status!r}.")


def _names(scope: Scope, keys: list[str]) -> dict[str, str]:
    return dict(
        CachedParticipant.objects.filter(
            team=scope.team, scope=scope.key, key__in=keys
        ).values_list("key", "name")
    )


def _supersede(*, scope: Scope, participant_keys: list[str], by: str, at: datetime) -> None:
    """Earlier unsent decisions of these candidates give way to the new one. One in flight
    keeps its lease, so the new one is not sent before that attempt has finished."""
    Decision.objects.filter(
        team=scope.team,
        scope=scope.key,
        participant_key__in=participant_keys,
        state=Decision.State.PENDING,
    ).update(
        state=Decision.State.SUPERSEDED,
        undone_at=at,
        undone_by_username=by,
        next_attempt_at=None,
        updated_at=at,
    )


def _reopen(decisions) -> None:
    """FAILED back to PENDING, due now; the failed attempt may have reached Willo after all."""
    now = timezone.now()
    decisions.filter(state=Decision.State.FAILED).update(
        state=Decision.State.PENDING,
        attempts=0,
        last_error="",
        next_attempt_at=now,
        check_first=True,
        updated_at=now,
    )


def _make_due(decisions) -> list[int]:
    """Reopen the failed among ``decisions`` and make the pending past their undo window due
    now; their ids, oldest first."""
    now = timezone.now()
    _reopen(decisions.filter(state=Decision.State.FAILED))
    waiting = decisions.filter(state=Decision.State.PENDING).exclude(send_after__gt=now)
    waiting.filter(next_attempt_at__gt=now).update(next_attempt_at=now)
    return list(waiting.order_by("created_at", "pk").values_list("pk", flat=True))


def _due(before: datetime):
    now = timezone.now()
    return (
        Decision.objects.filter(state=Decision.State.PENDING, next_attempt_at__lte=before)
        .filter(Q(sending_until__isnull=True) | Q(sending_until__lte=now))
        .order_by("next_attempt_at", "pk")
    )


def _claim(decision_id: int) -> Decision | None:
    """Take the decision for one attempt, if it is due and nobody has it (a lease). A claim
    that ran out (its worker died mid-send) makes this attempt read Willo first."""
    now = timezone.now()
    decision = _due(now).filter(pk=decision_id).select_related("team").first()
    if decision is None:
        return None
    in_flight = (
        Decision.objects.filter(
            team_id=decision.team_id,
            scope=decision.scope,
            participant_key=decision.participant_key,
            sending_until__gt=now,
        )
        .exclude(pk=decision.pk)
        .exists()
    )
    if in_flight:  # an earlier decision's attempt has not finished: send after it
        return None
    died = decision.sending_until is not None
    claimed = Decision.objects.filter(
        pk=decision.pk,
        state=Decision.State.PENDING,
        sending_until=decision.sending_until,
        attempts=decision.attempts,
    ).update(
        sending_until=now + timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
        check_first=decision.check_first or died,
        updated_at=now,
    )
    if not claimed:
        return None
    if died:
        logger.warning(
            "decision %s: the last attempt did not finish; reading Willo first", decision_id
        )
    decision.refresh_from_db()
    return decision


def _attempt(decision: Decision, scope: Scope) -> SendOutcome:
    started = timezone.now()
    key = decision.participant_key
    check_first = decision.check_first
    try:
        with scope.client(retry=False) as willo:
            if check_first:
                current = willo.participants.retrieve(key)
                if str(current.status or "") == decision.status:
                    logger.info(
                        "decision %s had already reached Willo; not sent again", decision.pk
                    )
                    return _sent(decision, scope, current, changed_at=started)
                participant_store(scope=scope, payload=current, source=Source.READ)
            answer = willo.participants.partial_update(key, status=decision.status)
    except (RequestOutcomeUnknownError, ResponseValidationError) as exc:
        # Willo may have applied it: the next attempt reads the participant first.
        return _again(decision, exc, check_first=True)
    except RateLimitError as exc:
        return _again(decision, exc, check_first=check_first, retry_after=exc.retry_after)
    except (InternalServerError, APIConnectionError) as exc:
        sent = not isinstance(exc, APIConnectionError) or exc.request_sent
        return _again(decision, exc, check_first=check_first or sent)
    except APIStatusError as exc:
        log_failure(f"decision {decision.pk}", repr(scope), exc)
        return _fail(decision, f"Willo refused it: {_willo_message(exc)}")
    except WilloError as exc:
        log_failure(f"decision {decision.pk}", repr(scope), exc)
        return _fail(decision, f"Could not send it to Willo: {exc}")
    except (MissingAPIKeyError, KeyDecryptionError) as exc:
        log_failure(f"decision {decision.pk}", repr(scope), exc)
        return _fail(decision, "The team has no usable Willo API key; ask a team admin.")
    return _sent(decision, scope, answer, changed_at=started)


def _finish(decision: Decision, **fields) -> bool:
    """Record an attempt's outcome and let the claim go. False when the decision was replaced
    while in flight: it keeps its replaced state (the attempt's time is still recorded)."""
    now = timezone.now()
    mine = Decision.objects.filter(pk=decision.pk)
    recorded = mine.filter(state=Decision.State.PENDING).update(
        **fields, sending_until=None, updated_at=now
    )
    if not recorded:
        sent = {"sent_at": fields["sent_at"]} if "sent_at" in fields else {}
        mine.update(sending_until=None, updated_at=now, **sent)
    decision.refresh_from_db()
    changes_mark(
        scope=Scope(team=decision.team, child_key=decision.scope),
        participant_keys=[decision.participant_key],
    )
    return bool(recorded)


def _sent(
    decision: Decision, scope: Scope, answer: schemas.Participant, *, changed_at: datetime
) -> SendOutcome:
    """Record the decision as sent, and Willo's answer (the PATCH's, or the read that found
    it there) in the cache through its writer; dated ``changed_at`` when Willo's answer
    does not say when the status changed (the PATCH's never does)."""
    latest = _finish(
        decision,
        state=Decision.State.SENT,
        sent_at=timezone.now(),
        last_error="",
        next_attempt_at=None,
        check_first=False,
    )
    logger.info("decision %s sent to Willo after %s attempt(s)", decision.pk, decision.attempts)
    if latest:  # else a newer decision replaced it in flight, and its own send will store
        emails_release(decision=decision)
        dates = {
            "status_changed_at": changed_at,
            "status_changed_by": scope.team.key_verified_user_email,
        }
        undated = dates.keys() - answer.model_fields_set
        answer = answer.model_copy(update={name: dates[name] for name in undated})
        participants_store(scope=scope, payloads=[answer], source=Source.READ, known_only=True)
    return SendOutcome(decision=decision)


def _again(
    decision: Decision,
    exc: BaseException,
    *,
    check_first: bool,
    retry_after: float | None = None,
) -> SendOutcome:
    """Willo did not confirm it: try again after a backoff, or give up after the last
    attempt (``retry_policy``)."""
    log_failure(f"decision {decision.pk}", f"team {decision.team_id}", exc)
    reason = _reason(exc)
    countdown = next_attempt_in(decision.attempts, retry_after=retry_after)
    if countdown is None:
        return _fail(
            decision, f"Willo did not confirm it after {decision.attempts} attempts: {reason}"
        )
    _finish(
        decision,
        last_error=reason[:300],
        next_attempt_at=timezone.now() + timedelta(seconds=countdown),
        check_first=check_first,
    )
    return SendOutcome(
        decision=decision, retry=decision.state == Decision.State.PENDING, countdown=countdown
    )


def _fail(decision: Decision, message: str) -> SendOutcome:
    _finish(
        decision,
        state=Decision.State.FAILED,
        last_error=message[:300],
        next_attempt_at=None,
    )
    emails_cancel_for_decisions(
        decision_ids=[decision.pk], reason=WHY_CANCELLED[Decision.State.FAILED]
    )
    logger.warning("decision %s failed: %s", decision.pk, decision.last_error)
    return SendOutcome(decision=decision)


def _not_undoable(decision: Decision) -> str:
    verb = "acceptance" if decision.status == Decision.Status.ACCEPTED else "rejection"
    if decision.state == Decision.State.UNDONE:
        return f"This {verb} was already undone."
    if decision.state == Decision.State.SUPERSEDED:
        return f"This {verb} was already replaced by a later decision."
    if decision.state == Decision.State.SENT:
        return f"Too late to undo: Willo has the {verb}. Change the decision instead."
    if decision.state == Decision.State.FAILED:
        return f"This {verb} was not sent: {decision.last_error}"
    return f"Too late to undo: the {verb} is being sent to Willo. Change it once it is sent."


def _eager() -> bool:
    from willo_integration.tasks import decision_send_task

    return bool(decision_send_task.app.conf.task_always_eager)


def _send_after_window(decision_ids: list[int], *, countdown: float) -> None:
    """A worker sends each when it is due. Eager tasks (tests, a one-box site) cannot wait
    without holding a request: the sweep of the in-process scheduler sends those."""
    if not _eager():
        transaction.on_commit(lambda: _enqueue(decision_ids, countdown=countdown))


def _enqueue(decision_ids: list[int], *, countdown: float) -> None:
    from willo_integration.tasks import decision_send_task

    for decision_id in decision_ids:
        try:
            decision_send_task.apply_async(args=[decision_id], countdown=countdown)
        except Exception:  # the broker is down: the recorded decision waits for the sweep
            logger.exception(
                "decision %s recorded but not enqueued; the sweep sends it", decision_id
            )
            return


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RateLimitError):
        return "Willo is rate limiting us."
    if isinstance(exc, RequestOutcomeUnknownError | ResponseValidationError):
        return "Willo did not confirm it; it is checked before being sent again."
    if isinstance(exc, InternalServerError):
        return f"Willo failed (HTTP {exc.status_code})."
    return "Willo is not answering."


def _willo_message(exc: APIStatusError) -> str:
    """Willo's own words, without the endpoint: e.g. "Willo refused the request: status: ..."."""
    return str(exc).partition(f"HTTP {exc.status_code}: ")[2] or f"HTTP {exc.status_code}"
