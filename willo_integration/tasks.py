"""Celery tasks: thin wrappers that load by id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.http import Http404

from dashboard.models import Team
from willo_integration.models import SyncRun
from willo_integration.services.agency import NotAChild, child_scope, children_refresh, scopes_of
from willo_integration.services.data_protection import retention_apply
from willo_integration.services.decisions import (
    MAX_ATTEMPTS,
    backoff,
    decision_send,
    decisions_sweep,
)
from willo_integration.services.freshness import (
    Freshness,
    WilloUnavailable,
    log_failure,
    unavailable_message,
)
from willo_integration.services.interviews import (
    WILLO_FAILURES,
    interview_refresh_finish,
    interview_refresh_record,
)
from willo_integration.services.participants import participant_refresh
from willo_integration.services.refresh import interview_refresh
from willo_integration.services.scope import Scope
from willo_integration.services.sync import SyncBusy, sync_run, sync_start, sync_sweep
from willo_integration.services.webhooks import (
    webhook_apply,
    webhook_apply_pending,
    webhook_sweep,
)

logger = logging.getLogger("willo_integration.tasks")


def _scope(team_id: int, scope_key: str, relation: str) -> Scope | None:
    """The scope a task acts in; arguments carry the relation's digest, never its key."""
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        return None
    try:
        return child_scope(team, scope_key, relation)
    except NotAChild:
        logger.warning("team %s no longer has the child %r; task dropped", team.slug, scope_key)
        return None


@shared_task(acks_late=True)
def decision_send_task(decision_id: int) -> str:
    """One attempt at a decision that is due; a retry is enqueued (or swept) after backoff.
    Redelivered or doubled, it changes nothing: the attempt claims the decision first."""
    outcome = decision_send(decision_id=decision_id)
    return outcome.decision.state if outcome.decision else "not claimed"


@shared_task
def decision_sweep_task() -> int:
    """Beat: send the decisions that are due and that no task will send."""
    return decisions_sweep()


@shared_task(acks_late=True)
def interview_refresh_task(team_id: int, scope_key: str, relation: str, interview_key: str) -> int:
    """Refresh one job and its candidates, recording progress for the page to poll."""
    scope = _scope(team_id, scope_key, relation)
    if scope is None:
        return 0

    def progress(done: int, total: int) -> None:
        interview_refresh_record(
            scope=scope, key=interview_key, done=done, total=total, running=True
        )

    try:
        total = interview_refresh(scope=scope, key=interview_key, progress=progress)
    except WILLO_FAILURES as exc:
        log_failure("interview refresh", repr(scope), exc)
        interview_refresh_record(
            scope=scope,
            key=interview_key,
            done=0,
            total=0,
            running=False,
            error=unavailable_message(exc),
        )
        interview_refresh_finish(scope=scope, key=interview_key, ok=False)
        return 0
    except BaseException:
        interview_refresh_finish(scope=scope, key=interview_key, ok=False)
        raise
    interview_refresh_record(scope=scope, key=interview_key, done=total, total=total, running=False)
    interview_refresh_finish(scope=scope, key=interview_key, ok=True)
    return total


@shared_task(acks_late=True)
def webhook_apply_task(event_id: int) -> str:
    """Apply a stored webhook delivery; idempotent, so a redelivered task changes nothing.
    One left waiting for Willo is tried again by the sweep once its next attempt is due."""
    return webhook_apply(event_id=event_id)


@shared_task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS - 1)
def participant_refresh_task(
    self, team_id: int, scope_key: str, relation: str, participant_key: str
) -> str:
    """Re-read a candidate from Willo (a webhook payload could not be ordered against the
    cached row); retried with backoff while Willo is not answering."""
    scope = _scope(team_id, scope_key, relation)
    if scope is None:
        return "missing"
    try:
        _row, freshness = participant_refresh(scope=scope, key=participant_key)
    except Http404:
        return "missing"  # deleted in Willo: participant_refresh dropped the row
    except WilloUnavailable:
        freshness = Freshness(as_of=None, notice="unavailable")
    if not freshness.notice:
        return "refreshed"
    if self.request.is_eager or self.request.retries >= MAX_ATTEMPTS - 1:
        return "stale"
    raise self.retry(countdown=backoff(self.request.retries + 1, freshness.retry_after))


@shared_task(acks_late=True)
def webhook_apply_pending_task() -> int:
    """Apply the deliveries stored since the last run (the receiver's nudge)."""
    return webhook_apply_pending()


@shared_task
def webhook_sweep_task() -> int:
    """Enqueue stored deliveries that were never applied (broker down, worker killed)."""
    return webhook_sweep()


@shared_task(acks_late=True)
def sync_task(run_id: int, claim: int) -> str:
    """Carry a claimed sync run on (``claim``: its ``resumed`` count when claimed). One
    left waiting for Willo is claimed again by the sweep once its next attempt is due."""
    return sync_run(run_id=run_id, claim=claim).state


@shared_task
def sync_sweep_task() -> int:
    """Beat: carry on the sync runs due again (waiting for Willo, or whose worker died)."""
    runs = sync_sweep()
    for run in runs:
        sync_task.delay(run.pk, run.resumed)
    return len(runs)


@shared_task
def reconcile_all_task() -> int:
    """Beat: reconcile every team with a key, skipping any whose sync is running."""
    started = 0
    for team in Team.objects.exclude(api_key=""):
        if team.is_parent:
            try:
                children_refresh(team)
            except WILLO_FAILURES as exc:  # reconcile the children known so far
                log_failure("children refresh", team.slug, exc)
        for scope in scopes_of(team):
            try:
                run = sync_start(scope=scope, kind=SyncRun.Kind.RECONCILE)
            except SyncBusy:
                continue
            sync_task.delay(run.pk, run.resumed)
            started += 1
    return started


@shared_task
def retention_task() -> int:
    """Beat: expire cached details and stored deliveries past WILLO_RETENTION_DAYS."""
    expiry = retention_apply(days=settings.WILLO_RETENTION_DAYS)
    return expiry.details + expiry.webhooks
