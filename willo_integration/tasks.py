"""Celery tasks: load by id, call a service, retry with the countdown the service chose."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils.dateparse import parse_datetime

from dashboard.models import Team
from willo_integration.services.data_protection import retention_apply
from willo_integration.services.decisions import decision_send, decisions_sweep
from willo_integration.services.email_delivery import email_send
from willo_integration.services.interviews import interview_refresh_run
from willo_integration.services.member_emails import member_emails_run
from willo_integration.services.outbox import outbox_drain
from willo_integration.services.participants import participant_reread
from willo_integration.services.retry_policy import MAX_ATTEMPTS
from willo_integration.services.scope import NotAChild, Scope, child_scope
from willo_integration.services.sync import sync_carry_on_due, sync_reconcile_all, sync_run
from willo_integration.services.webhooks import webhook_apply_pending, webhook_sweep

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
    """One attempt at a decision that is due; the service enqueues its retry after the
    backoff (or leaves it to the sweep where tasks run eagerly). Redelivered or doubled,
    it changes nothing: the attempt claims the decision first."""
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
    return interview_refresh_run(scope=scope, key=interview_key)


@shared_task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS - 1)
def participant_refresh_task(
    self, team_id: int, scope_key: str, relation: str, participant_key: str
) -> str:
    """Re-read a candidate from Willo (a webhook payload could not be ordered against the
    cached row); retried with backoff while Willo is not answering."""
    scope = _scope(team_id, scope_key, relation)
    if scope is None:
        return "missing"
    reread = participant_reread(
        scope=scope,
        key=participant_key,
        attempt=self.request.retries + 1,
        may_wait=not self.request.is_eager,
    )
    if reread.retry_in is not None:
        raise self.retry(countdown=reread.retry_in)
    return reread.state


@shared_task(bind=True, acks_late=True, max_retries=None)
def webhook_apply_pending_task(self, received_before: str | None = None) -> int:
    """Apply a batch of the stored deliveries that are due (the receiver's and the sweep's
    one way to a worker); enqueued again at once while more waits. Idempotent: a
    redelivered task finds nothing due that another applied."""
    run = webhook_apply_pending(received_before=parse_datetime(received_before or ""))
    if run.next_run_in is not None:
        raise self.retry(countdown=run.next_run_in)
    return run.applied


@shared_task
def webhook_sweep_task() -> int:
    """Beat: ask for a run over stored deliveries left due (broker down, worker killed,
    their wait for Willo over)."""
    return webhook_sweep()


@shared_task(acks_late=True)
def sync_task(run_id: int, claim: int) -> str:
    """Carry a claimed sync run on (``claim``: its ``resumed`` count when claimed). One
    left waiting for Willo is claimed again by the sweep once its next attempt is due."""
    return sync_run(run_id=run_id, claim=claim).state


@shared_task
def sync_sweep_task() -> int:
    """Beat: carry on the sync runs due again (waiting for Willo, or whose worker died)."""
    return sync_carry_on_due()


@shared_task
def reconcile_all_task() -> int:
    """Beat: reconcile every team with a key, skipping any whose sync is running."""
    return sync_reconcile_all()


@shared_task
def retention_task() -> int:
    """Beat: expire cached details, stored deliveries, Willo's comments and scores and
    settled emails past WILLO_RETENTION_DAYS."""
    expiry = retention_apply(days=settings.WILLO_RETENTION_DAYS)
    return expiry.details + expiry.webhooks + expiry.feedback + expiry.emails


@shared_task
def outbox_drain_task() -> int:
    """Beat: move waiting emails on, settle dead claims, enqueue each email that is due."""
    return outbox_drain().enqueued


@shared_task(acks_late=True)
def email_send_task(email_id: int) -> str:
    """One attempt at a due email. Redelivered or doubled, it sends nothing twice: the
    attempt claims the email first."""
    outcome = email_send(email_id=email_id)
    return outcome.email.state if outcome.email else "not claimed"


@shared_task
def member_emails_task() -> int:
    """Beat: the hiring managers' verdicts of the past hour, one email per share, and the
    daily digests that are due."""
    return member_emails_run()
