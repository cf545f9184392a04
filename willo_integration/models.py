"""The local cache of Willo objects: interviews (jobs) and participants (candidates).

Rows are partitioned by team and scope (the agency child organisation, "" for the
team's own organisation); every query filters on both.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

import pydantic
from django.conf import settings
from django.db import models
from django.utils import timezone

from dashboard.fields import EncryptedTextField
from willo_integration import schemas
from willo_integration.indexes import NullsLastIndex

logger = logging.getLogger(__name__)


class Source(models.TextChoices):
    SYNC = "sync", "Sync"
    WEBHOOK = "webhook", "Webhook"
    READ = "read", "Read-through"


class CachedInterview(models.Model):
    """An interview (a job) as Willo last told us about it."""

    team = models.ForeignKey(
        "dashboard.Team", on_delete=models.CASCADE, related_name="cached_interviews"
    )
    scope = models.CharField(max_length=32, blank=True, default="")
    key = models.CharField(max_length=64)
    title = models.CharField(max_length=500, blank=True)
    department_key = models.CharField(max_length=64, blank=True)
    department_name = models.CharField(max_length=200, blank=True)
    owner_name = models.CharField(max_length=200, blank=True)
    owner_email = models.CharField(max_length=254, blank=True)
    invite_link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    detail_fetched_at = models.DateTimeField(null=True, blank=True)
    participants_fetched_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.READ)
    fetched_at = models.DateTimeField()
    detail = models.JSONField(null=True, blank=True)  # last, as CachedParticipant.detail

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "key"], name="cached_interview_unique_team_scope_key"
            )
        ]
        indexes = [
            # The team home lists a scope's jobs by title (the default ordering).
            models.Index(fields=["team", "scope", "title"], name="cached_interview_title"),
        ]

    def __str__(self) -> str:
        return self.title or self.key

    def interview(self) -> schemas.Interview | None:
        """The parsed detail payload, or None if it was never fetched or cannot be read."""
        if not self.detail:
            return None
        try:
            return schemas.Interview.model_validate(self.detail)
        except pydantic.ValidationError:
            logger.warning("cached interview %s has an unreadable detail payload", self.key)
            return None

    def questions(self) -> list[schemas.Question]:
        interview = self.interview()
        if interview is None:
            return []
        return sorted(interview.questions, key=lambda q: (q.order is None, q.order or 0))


class CachedParticipant(models.Model):
    """A participant (a candidate) as Willo last told us about them."""

    STATUSES = ["Invited", "Started", "Completed", *schemas.DECISION_STATUSES]
    # Not responded yet: a decision on them is unusual, so the pages ask first.
    NOT_RESPONDED = ("Invited", "Started")

    team = models.ForeignKey(
        "dashboard.Team", on_delete=models.CASCADE, related_name="cached_participants"
    )
    scope = models.CharField(max_length=32, blank=True, default="")
    key = models.CharField(max_length=64)
    interview = models.ForeignKey(
        CachedInterview,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="participants",
    )
    interview_key = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    custom_id = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=32, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    average_score = models.FloatField(null=True, blank=True)
    score_count = models.IntegerField(default=0)
    has_identity_check = models.BooleanField(default=False)
    detail_fetched_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.READ)
    fetched_at = models.DateTimeField()
    # Last: SQLite reads a row's columns in order, so list queries never step
    # through this (large) payload's overflow pages to reach the columns they need.
    detail = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "key"], name="cached_participant_unique_team_scope_key"
            )
        ]
        indexes = [
            # The job page's pipeline (counts, newest per status) and status filter; the
            # jobs list's counts per status and new responses, from the index alone on
            # PostgreSQL (which alone supports included columns).
            NullsLastIndex(
                fields=["team", "scope", "interview", "status", "-created_at"],
                include=["responded_at"],
                name="cached_part_status",
            ),
            # The job page's default ordering (newest first) and its pagination.
            NullsLastIndex(
                fields=["team", "scope", "interview", "-created_at"], name="cached_part_created"
            ),
            # The job page's score range filter and score ordering.
            models.Index(
                fields=["team", "scope", "interview", "average_score"], name="cached_part_score"
            ),
            # The review queue: a team's responded candidates, oldest response first.
            models.Index(
                fields=["team", "scope", "status", "responded_at"], name="cached_part_queue"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.key

    @property
    def has_responded(self) -> bool:
        return self.status not in self.NOT_RESPONDED

    def participant(self) -> schemas.Participant | None:
        """The parsed detail payload, or None if it was never stored or cannot be read."""
        if not self.detail:
            return None
        try:
            return schemas.Participant.model_validate(self.detail)
        except pydantic.ValidationError:
            logger.warning("cached participant %s has an unreadable payload", self.key)
            return None


class StatusChange(models.Model):
    """A candidate's status as Willo told us it changed: written by the cache writer each
    time a payload moves a cached candidate from one status to another, for their timeline
    (the status a candidate is first seen in is the row's own ``status_changed_at``)."""

    team = models.ForeignKey("dashboard.Team", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=32, blank=True, default="")
    participant_key = models.CharField(max_length=64)
    status = models.CharField(max_length=32)
    previous = models.CharField(max_length=32)
    changed_at = models.DateTimeField()  # Willo's status_changed_at, else when we learnt it
    changed_by = models.CharField(max_length=254, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(
                fields=["team", "scope", "participant_key", "-changed_at"],
                name="status_change_candidate",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_key}: {self.previous or '-'} -> {self.status}"


class LastVisit(models.Model):
    """When a user last looked at a team's jobs: "new responses since your last visit"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="willo_last_visits"
    )
    team = models.ForeignKey("dashboard.Team", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=32, blank=True, default="")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team", "scope"], name="last_visit_unique_user_team_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} at {self.seen_at:%Y-%m-%d %H:%M}"


def _webhook_route() -> str:
    return secrets.token_urlsafe(24)


class WebhookEndpoint(models.Model):
    """Where Willo posts one team scope's events: ``/webhooks/willo/<route>/``."""

    team = models.ForeignKey(
        "dashboard.Team", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    scope = models.CharField(max_length=32, blank=True, default="")
    route = models.CharField(max_length=64, unique=True, default=_webhook_route, editable=False)
    public_url = models.URLField(max_length=500, help_text="The callback URL given to Willo.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "scope"], name="webhook_endpoint_team_scope")
        ]

    def __str__(self) -> str:
        return f"{self.team} webhooks{f' ({self.scope})' if self.scope else ''}"


class WebhookSubscription(models.Model):
    """One event registered with Willo for an endpoint, with a digest of its own token.

    The token itself is only ever given to Willo: a digest is enough to check it.
    """

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="subscriptions"
    )
    event = models.CharField(max_length=32)
    willo_key = models.CharField(max_length=64, blank=True)
    token_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_subscription_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class ReceivedWebhook(models.Model):
    """A delivery from Willo, stored raw before anything else is done with it.

    ``dedupe_key`` is ``evt:<id>`` for enveloped events and ``sha256:<digest of the body>``
    otherwise; the unique constraint makes a repeated delivery, even a concurrent one,
    fail to insert instead of being applied twice.
    """

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        APPLIED = "applied", "Applied"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    team = models.ForeignKey(
        "dashboard.Team", on_delete=models.CASCADE, related_name="received_webhooks"
    )
    scope = models.CharField(max_length=32, blank=True, default="")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    event = models.CharField(max_length=64)
    dedupe_key = models.CharField(max_length=140)
    participant_key = models.CharField(max_length=64, blank=True)
    body = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVED)
    attempts = models.IntegerField(default=0)
    # While Willo cannot be read: when to try again (None: at once).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_traceback = models.TextField(blank=True)  # of the exception that failed it
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "event", "dedupe_key"], name="received_webhook_once"
            )
        ]
        indexes = [
            # The sweep: events stored but not applied (broker down, worker killed).
            models.Index(fields=["state", "received_at"], name="received_webhook_state"),
        ]

    def __str__(self) -> str:
        return f"{self.event} for {self.team} ({self.get_state_display()})"


class SyncRun(models.Model):
    """One sync of a team scope with Willo: what it did so far, and where to resume.

    The database is the resume point: listed pages are recorded in ``pages_done`` and the
    participants still needing their detail are the rows without a fresh one, so a run
    interrupted anywhere continues without duplicating or losing rows. At most one run per
    scope is RUNNING (a partial unique constraint): two reconciliations never overlap.

    A run WAITING for Willo is due again at ``next_attempt_at``; one RUNNING whose heartbeat
    is older than ``STALE_HEARTBEAT`` lost its worker. Either may be resumed (claimed) or
    cancelled; each claim adds one to ``resumed``, the number a worker holds it by.
    """

    STALE_HEARTBEAT = timedelta(minutes=5)

    class Kind(models.TextChoices):
        FULL = "full", "Full sync"
        INCREMENTAL = "incremental", "Incremental sync"
        RECONCILE = "reconcile", "Reconciliation"

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        WAITING = "waiting", "Waiting for Willo"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    team = models.ForeignKey("dashboard.Team", on_delete=models.CASCADE, related_name="sync_runs")
    scope = models.CharField(max_length=32, blank=True, default="")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    phase = models.CharField(max_length=20, default="interviews")
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    interviews_seen = models.IntegerField(default=0)
    pages_done = models.IntegerField(default=0)
    pages_total = models.IntegerField(default=0)
    participants_seen = models.IntegerField(default=0)
    details_done = models.IntegerField(default=0)
    details_total = models.IntegerField(default=0)
    participants_removed = models.IntegerField(default=0)
    resumed = models.IntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # Waiting for Willo: since when (this stretch of waiting: progress ends it), how many
    # tries it has waited after (the backoff), and when it is due to be tried again.
    waiting_since = models.DateTimeField(null=True, blank=True)
    waits = models.IntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=150, blank=True)  # the member's username

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope"],
                condition=models.Q(state="running"),
                name="sync_run_one_running_per_scope",
            )
        ]
        indexes = [
            # The sweep, every minute: the few unfinished runs among the many finished.
            models.Index(
                fields=["state"],
                condition=models.Q(state__in=["running", "waiting"]),
                name="sync_run_unfinished",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.team} ({self.get_state_display()})"

    @property
    def percent(self) -> int:
        total = self.pages_total + self.details_total
        done = self.pages_done + self.details_done
        return min(100, round(100 * done / total)) if total else 0

    @property
    def active(self) -> bool:
        return self.state in (self.State.RUNNING, self.State.WAITING)

    @property
    def stalled(self) -> bool:
        """RUNNING, but its worker has not saved progress for a while: it died."""
        return self.state == self.State.RUNNING and (
            timezone.now() - self.heartbeat_at >= self.STALE_HEARTBEAT
        )

    @property
    def due(self) -> bool:
        """Waiting for Willo, and its next attempt is due: the sweep takes it."""
        return self.state == self.State.WAITING and (
            self.next_attempt_at is None or self.next_attempt_at <= timezone.now()
        )

    @property
    def resumable(self) -> bool:
        """Waiting for Willo, or stalled: a team admin may resume or cancel it."""
        return self.state == self.State.WAITING or self.stalled


class ChildOrganisation(models.Model):
    """A client organisation under an agency team's Willo (parent) organisation, as
    GET /children/ last listed it."""

    team = models.ForeignKey(
        "dashboard.Team", on_delete=models.CASCADE, related_name="child_organisations"
    )
    key = models.CharField(max_length=32)  # also the scope of the child's cached rows
    name = models.CharField(max_length=200, blank=True)
    verification_status = models.CharField(max_length=32, blank=True)
    owner_name = models.CharField(max_length=200, blank=True)
    owner_email = models.CharField(max_length=254, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "key"], name="child_organisation_team_key")
        ]

    def __str__(self) -> str:
        return self.name or self.key

    def default_relation(self) -> ChildUserRelation | None:
        """The relation to act as when none is chosen: an admin's, joined ones first."""
        relations = list(self.relations.all())
        ranked = sorted(
            relations,
            key=lambda r: (r.role not in ADMIN_ROLES, r.status != "joined", r.pk),
        )
        return ranked[0] if ranked else None


ADMIN_ROLES = frozenset({"owner", "admin"})


class ChildUserRelation(models.Model):
    """A Willo user's relation to a child organisation. Its key, sent as
    X-Agency-User-Key with the team's API key, acts as that user inside the child, so it
    is stored encrypted; the session and task arguments carry its digest instead."""

    child = models.ForeignKey(ChildOrganisation, on_delete=models.CASCADE, related_name="relations")
    key = EncryptedTextField("agency user key", editable=False)
    key_digest = models.CharField(max_length=64, editable=False)
    user_key = models.CharField(max_length=64, blank=True)
    user_name = models.CharField(max_length=200, blank=True)
    user_email = models.CharField(max_length=254, blank=True)
    role = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["child", "key_digest"], name="child_relation_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_name or self.user_email or self.user_key} ({self.role or 'member'})"


class WilloComment(models.Model):
    """A comment a Willo user made on a candidate, as its new_comment delivery said.

    Willo's API cannot list comments: only the deliveries bring them, so these rows are
    kept apart from the deliveries (whose retention drops them) and from the cached
    candidate (keyed by ``participant_key``: a comment may arrive before the candidate
    is cached, and shows once they are)."""

    team = models.ForeignKey("dashboard.Team", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=32, blank=True, default="")
    participant_key = models.CharField(max_length=64)
    key = models.CharField(max_length=64)
    text = models.TextField(blank=True)
    author_key = models.CharField(max_length=64, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    author_email = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)  # Willo's time
    received_at = models.DateTimeField()  # when a delivery last brought it

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "key"], name="willo_comment_unique_team_scope_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["team", "scope", "participant_key"], name="willo_comment_participant"
            )
        ]

    def __str__(self) -> str:
        author = self.author_name or self.author_email or "someone"
        return f"Comment by {author} on {self.participant_key}"


class WilloScore(models.Model):
    """A scorecard a Willo user filled in for a candidate, as its new_score delivery said.

    Kept as WilloComment is. ``criteria`` holds each criterion with its score, in
    Willo's order: ``{"text", "description", "order", "is_optional", "score"}``, the score
    a decimal string as Willo sent it (or None). A list in the row, not a table: a
    scorecard is only ever shown whole and replaced whole on redelivery, and the page
    reads every score of a candidate in one query."""

    team = models.ForeignKey("dashboard.Team", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=32, blank=True, default="")
    participant_key = models.CharField(max_length=64)
    key = models.CharField(max_length=64)
    general_score = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)  # Willo's time
    scored_by_key = models.CharField(max_length=64, blank=True)
    scored_by_name = models.CharField(max_length=200, blank=True)
    scored_by_email = models.CharField(max_length=254, blank=True)
    criteria = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField()  # when a delivery last brought it

    class Meta:
        ordering = ["-scored_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "key"], name="willo_score_unique_team_scope_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["team", "scope", "participant_key"], name="willo_score_participant"
            )
        ]

    def __str__(self) -> str:
        scorer = self.scored_by_name or self.scored_by_email or "someone"
        return f"Score by {scorer} on {self.participant_key}"
