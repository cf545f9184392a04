"""The dashboard's email: the team's templates, each job's choice of them, a member's
correction of a candidate's first name, the jobs a member follows for the daily digest,
and the outbox, where every email is a row before it is sent (never through Willo, whose
API cannot send one). Imported by ``dashboard.models``, whose app they belong to."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dashboard.fields import EncryptedTextField

EMAIL_BODY_MAX_CHARACTERS = 10_000
EMAIL_MAX_DELAY_HOURS = 72
# What a member may choose for when a candidate's email goes, in hours after the
# decision reaches Willo.
EMAIL_DELAY_CHOICES_HOURS = (0, 1, 4, 12, 24, 48, 72)
LINK_MARKER = "@@share-link@@"  # where a secret link goes in an email's kept words


class EmailTemplate(models.Model):
    """A team's words for one kind of candidate email, with Willo-style placeholders
    (``{candidate_first_name}``…); team admins keep them, per scope (an agency's client has
    its own)."""

    class Kind(models.TextChoices):
        REJECTION = "rejection", "Rejection"
        NEXT_STEPS = "next_steps", "Next steps"

    team = models.ForeignKey("dashboard.Team", on_delete=models.CASCADE, related_name="templates")
    scope = models.CharField(max_length=32, blank=True, default="")  # an agency's client
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=100)
    subject = models.CharField(max_length=200)
    body = models.TextField(max_length=EMAIL_BODY_MAX_CHARACTERS)
    # The team's template of its kind for a job that has not chosen one.
    is_default = models.BooleanField("the team's default", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by_username = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "kind", "name"], name="template_name_once"
            ),
            models.UniqueConstraint(
                fields=["team", "scope", "kind"],
                condition=Q(is_default=True),
                name="template_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class JobEmailTemplate(models.Model):
    """The template a job uses for one kind of email, instead of the team's default."""

    team = models.ForeignKey("dashboard.Team", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=32, blank=True, default="")
    interview_key = models.CharField(max_length=64)
    kind = models.CharField(max_length=12, choices=EmailTemplate.Kind.choices)
    template = models.ForeignKey(EmailTemplate, on_delete=models.CASCADE, related_name="jobs")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "interview_key", "kind"], name="job_template_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} for {self.interview_key}"


class CandidateFirstName(models.Model):
    """A member's correction of the first name emails greet a candidate by (by default the
    first word of Willo's ``name``)."""

    team = models.ForeignKey("dashboard.Team", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=32, blank=True, default="")
    participant_key = models.CharField(max_length=64)
    first_name = models.CharField(max_length=100)
    set_by_username = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "participant_key"], name="first_name_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} ({self.participant_key})"


class JobFollow(models.Model):
    """A member following a job: new responses in it reach them in a daily digest."""

    team = models.ForeignKey("dashboard.Team", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=32, blank=True, default="")
    interview_key = models.CharField(max_length=64)
    interview_title = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Responses after this went in no digest yet.
    digested_until = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["interview_title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "interview_key", "user"], name="job_follow_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.interview_key}"


class OutboundEmailQuerySet(models.QuerySet):
    def cancel(self, *, reason: str = "", by: str = "") -> int:
        """Cancel these emails (by ``by``, a username; "" the system), saying why when
        ``reason`` is given, a share's link dropped with them; how many."""
        fields = {
            "state": OutboundEmail.State.CANCELLED,
            "cancelled_at": timezone.now(),
            "cancelled_by_username": by,
            "next_attempt_at": None,
            "secret_link": "",
        }
        if reason:
            fields["last_error"] = reason[:500]
        return self.update(**fields)


class OutboundEmail(models.Model):
    """One email, recorded before it is sent and sent at most once (the outbox).

    A candidate's email waits (WAITING) until its decision reaches Willo, then is QUEUED
    for ``delay_seconds`` after that; a task drained by beat claims it (SENDING, a lease)
    and sends it. A refusal or a lost connection before the message went out queues it
    again after a backoff, and FAILED after the last attempt or a permanent refusal; a
    connection lost after the message went out, or a claim whose worker died, leaves it
    UNKNOWN for a person to resolve: it is never sent again blindly. CANCELLED by a
    member, or by itself when its decision is undone, replaced or failed.
    """

    class Kind(models.TextChoices):
        REJECTION = "rejection", "Rejection"
        NEXT_STEPS = "next_steps", "Next steps"
        MENTION = "mention", "Mention"
        SHARE_VERDICTS = "share_verdicts", "Hiring manager's verdicts"
        SHARE_LINK = "share_link", "Share link"
        DIGEST = "digest", "Daily digest"

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for the decision to reach Willo"
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Outcome unknown"
        CANCELLED = "cancelled", "Cancelled"

    CANDIDATE_KINDS = (Kind.REJECTION, Kind.NEXT_STEPS)

    team = models.ForeignKey("dashboard.Team", on_delete=models.CASCADE, related_name="emails")
    scope = models.CharField(max_length=32, blank=True, default="")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # A candidate's email: whom, in which job, after which decision, from which template.
    participant_key = models.CharField(max_length=64, blank=True)
    participant_name = models.CharField(max_length=200, blank=True)
    interview_key = models.CharField(max_length=64, blank=True)
    interview_title = models.CharField(max_length=300, blank=True)
    decision = models.ForeignKey(
        "dashboard.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
    )
    template = models.ForeignKey(
        EmailTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    # A member's email: whom.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as given (a malformed address from Willo fails the email with the reason).
    to_email = models.CharField(max_length=320, blank=True)
    to_name = models.CharField(max_length=200, blank=True)
    # What was sent (or, for members' emails, what will be): a candidate's email is
    # rendered when it is sent, so a corrected first name or template counts.
    subject = models.CharField(max_length=300, blank=True)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    # A share's link in a hiring manager's email: encrypted until the email is sent (the
    # words hold LINK_MARKER in its place), then dropped, as the share keeps only a hash.
    secret_link = EncryptedTextField(blank=True)
    # The candidates a member's email names (" key key "), so erasure finds it.
    about_participants = models.TextField(blank=True)
    # A member's email of the same facts is made once (a mention, a share's hour).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    delay_seconds = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(EMAIL_MAX_DELAY_HOURS * 3600)]
    )
    send_after = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)  # handed to a task by the drain
    sending_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    created_by_username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by_username = models.CharField(max_length=150, blank=True)
    # Who settled an UNKNOWN one, and how ("marked sent", "sent again").
    resolved_by_username = models.CharField(max_length=150, blank=True)

    objects = OutboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one email per candidate, job and kind is ever sent: one that is not
            # cancelled holds the place.
            models.UniqueConstraint(
                fields=["team", "scope", "interview_key", "participant_key", "kind"],
                condition=Q(participant_key__gt="") & ~Q(state="cancelled"),
                name="email_once_per_candidate_job_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="queued"), name="email_due"),
            models.Index(fields=["team", "scope", "-created_at"], name="email_outbox"),
            models.Index(fields=["team", "scope", "participant_key"], name="email_candidate"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} email to {self.to_email or '?'} ({self.state})"

    @property
    def for_candidate(self) -> bool:
        return self.kind in self.CANDIDATE_KINDS

    @property
    def unsent(self) -> bool:
        """Waiting or queued: it can still be cancelled or sent now."""
        return self.state in (self.State.WAITING, self.State.QUEUED)
