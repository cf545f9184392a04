"""Teams, their members, the audit of their Willo API keys, and the team's own records
about candidates: decisions, identity reveals, reviews and notes, blind review's numbers
and reveals, share links for hiring managers with their verdicts (never sent to Willo), and
(in dashboard/email_records.py) email templates, follows and the outbox."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.debug import sensitive_variables

from dashboard.email_records import EMAIL_MAX_DELAY_HOURS
from dashboard.fields import EncryptedTextField, Secret
from dashboard.validators import validate_willo_api_host, validate_willo_base_url

SYSTEM_ACTOR = "system"  # who acted when no signed-in user did: a task, a command


def actor_user(actor):
    """The signed-in user who acted, or None (the system, an anonymous request)."""
    return actor if actor is not None and actor.is_authenticated else None


def actor_username(actor) -> str:
    """The signed-in user's username, as audit rows keep it; "" for the system."""
    user = actor_user(actor)
    return user.get_username() if user is not None else ""


def actor_label(actor) -> str:
    """Who acted, as logs name them: the username, or "system"."""
    return actor_username(actor) or SYSTEM_ACTOR


class Team(models.Model):
    """A hiring team: one Willo organisation and the API key that reaches it."""

    class Environment(models.TextChoices):
        PRODUCTION = "production", "Production"
        STAGING = "staging", "Staging"
        SANDBOX = "sandbox", "Sandbox (built-in simulator)"
        CUSTOM = "custom", "Custom base URL"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    environment = models.CharField(
        max_length=20, choices=Environment.choices, default=Environment.PRODUCTION
    )
    custom_base_url = models.CharField(
        "custom base URL",
        max_length=500,
        blank=True,
        validators=[validate_willo_base_url],
        help_text="Only for the custom environment. https:// unless the host is loopback.",
    )
    api_key = EncryptedTextField("API key", blank=True, editable=False)
    # Kept apart from the ciphertext so lists and the admin never decrypt to show it.
    api_key_last4 = models.CharField("API key ends with", max_length=4, blank=True, editable=False)
    # Where the key was entered for ("production", "custom https://…"): a key goes only
    # there, so another environment or base URL clears it until a key is entered again.
    api_key_binding = models.CharField(max_length=520, blank=True, editable=False)
    willo_user_email = models.EmailField(
        "Willo user email",
        blank=True,
        help_text="The email of the Willo user the API key belongs to; verification looks it up.",
    )
    is_parent = models.BooleanField(
        "parent (agency) organisation",
        default=False,
        help_text="Set by verification: the organisation has child organisations.",
    )
    key_verified_at = models.DateTimeField("key verified at", null=True, blank=True)
    key_verified_user_key = models.CharField(max_length=64, blank=True)
    key_verified_user_name = models.CharField(max_length=200, blank=True)
    key_verified_user_email = models.EmailField(blank=True)
    key_verification_message = models.CharField(max_length=300, blank=True)
    key_refused_at = models.DateTimeField("key refused by Willo at", null=True, blank=True)
    # When the organisation was last asked whether it is a parent (agency); None: never.
    agency_checked_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_webhook_at = models.DateTimeField(null=True, blank=True)
    independent_review = models.BooleanField(
        default=True,
        help_text=(
            "Until members have given their own recommendation for a candidate, they do not "
            "see their colleagues' ratings, recommendations and review notes, nor the team's "
            "tallies. Notes stay visible."
        ),
    )
    blind_review = models.BooleanField(
        default=False,
        help_text=(
            'Every member sees candidates as "Candidate <number>": no name, email, phone, '
            "location, avatar, custom ID or Willo links, until they reveal one or decide. "
            "Videos still show faces."
        ),
    )
    # Candidates' emails (the dashboard's own; Willo's API cannot send one).
    email_sender_name = models.CharField(
        "sender name",
        max_length=100,
        blank=True,
        help_text="The name candidates see the team's emails from; the team's name if blank.",
    )
    email_reply_to = models.EmailField(
        "reply-to address", blank=True, help_text="Where candidates' replies go."
    )
    email_delay_hours = models.PositiveSmallIntegerField(
        "email delay (hours)",
        default=24,
        validators=[MaxValueValidator(EMAIL_MAX_DELAY_HOURS)],
        help_text="How long after a decision reaches Willo its email goes, unless chosen.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Team {self.slug!r} ({self.environment})>"

    def save(self, *args, actor=None, ip_address: str | None = None, **kwargs) -> None:
        """Saves; a key entered for another environment or base URL is cleared (audited,
        by ``actor`` from ``ip_address`` when given)."""
        if not self.slug:
            self.slug = self._unique_slug()
        cleared_from = ""
        if self.has_api_key and self.api_key_binding != self.key_binding:
            cleared_from = self.api_key_binding or "an unrecorded base URL"
            self.api_key = ""
            self.api_key_last4 = ""
            self.api_key_binding = ""
            self.clear_verification()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    "api_key",
                    "api_key_last4",
                    "api_key_binding",
                    *self.VERIFICATION_FIELDS,
                }
        super().save(*args, **kwargs)
        if cleared_from:
            KeyAuditEntry.record(
                team=self,
                action=KeyAuditEntry.Action.CLEARED,
                actor=actor,
                ip_address=ip_address,
                detail=f"Key entered for {cleared_from}; the team now uses {self.key_binding}.",
            )

    def _unique_slug(self) -> str:
        base = slugify(self.name)[:70] or "team"
        slug, n = base, 2
        while Team.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def clean(self) -> None:
        if self.environment == self.Environment.CUSTOM and not self.custom_base_url:
            raise ValidationError(
                {"custom_base_url": "Enter the base URL of the custom environment."}
            )
        field = "custom_base_url" if self.environment == self.Environment.CUSTOM else "environment"
        try:
            validate_willo_api_host(self.base_url)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None

    @property
    def key_binding(self) -> str:
        """What a key entered now is bound to: the environment, or the custom base URL."""
        if self.environment == self.Environment.CUSTOM:
            return f"custom {self.custom_base_url.strip().rstrip('/')}"
        return str(self.environment)

    @property
    def base_url(self) -> str:
        """The Willo API base URL of this team's environment."""
        match self.environment:
            case self.Environment.PRODUCTION:
                return settings.WILLO_PRODUCTION_BASE_URL
            case self.Environment.STAGING:
                return settings.WILLO_STAGING_BASE_URL
            case self.Environment.SANDBOX:
                return settings.WILLO_SANDBOX_BASE_URL
            case _:
                return self.custom_base_url

    @property
    def has_api_key(self) -> bool:
        return isinstance(self.api_key, Secret)

    @property
    def is_key_verified(self) -> bool:
        return self.key_verified_at is not None

    @sensitive_variables()
    def set_api_key(self, plaintext: str) -> None:
        """Store a new key (encrypted on save) and forget the old key's verification."""
        plaintext = plaintext.strip()
        self.api_key = plaintext
        self.api_key_last4 = plaintext[-4:] if len(plaintext) >= 8 else ""
        self.api_key_binding = self.key_binding
        self.clear_verification()

    VERIFICATION_FIELDS = (
        "key_verified_at",
        "key_verified_user_key",
        "key_verified_user_name",
        "key_verified_user_email",
        "key_verification_message",
        "key_refused_at",
    )

    def clear_verification(self) -> None:
        self.key_verified_at = None
        self.key_verified_user_key = ""
        self.key_verified_user_name = ""
        self.key_verified_user_email = ""
        self.key_verification_message = ""
        self.key_refused_at = None

    def api_key_plaintext(self) -> str:
        """The decrypted key, for the Willo client only; KeyDecryptionError if undecryptable.

        A key entered for another environment or base URL is never handed out, even if
        the row was changed without ``save`` (a queryset update).
        """
        if not isinstance(self.api_key, Secret):
            raise MissingAPIKeyError(f"Team {self.slug!r} has no Willo API key.")
        if self.api_key_binding != self.key_binding:
            raise MissingAPIKeyError(
                f"Team {self.slug!r}: the key was entered for another base URL; enter it again."
            )
        return self.api_key.reveal()


class MissingAPIKeyError(Exception):
    """The team has no API key yet."""


class Membership(models.Model):
    """A user's place in a team; a user may belong to several teams."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Team admin"
        RECRUITER = "recruiter", "Recruiter"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RECRUITER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_unique_user_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"

    _RANK = {Role.VIEWER: 0, Role.RECRUITER: 1, Role.ADMIN: 2}

    def has_role(self, minimum: str) -> bool:
        """Whether this role is at least ``minimum`` (viewer < recruiter < admin)."""
        return self._RANK[self.Role(self.role)] >= self._RANK[self.Role(minimum)]

    @property
    def is_team_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class KeyAuditEntry(models.Model):
    """Who did what to a team's API key, when and from where. Never any key material."""

    class Action(models.TextChoices):
        SET = "set", "Key set"
        REPLACED = "replaced", "Key replaced"
        ROTATED = "rotated", "Key rotated"
        VERIFIED = "verified", "Key verified"
        VERIFY_FAILED = "verify_failed", "Verification failed"
        CLEARED = "cleared", "Key cleared (environment or base URL changed)"
        REFUSED = "refused", "Key refused by Willo"

    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, related_name="key_audit")
    team_name = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "key audit entry"
        verbose_name_plural = "key audit entries"

    def __str__(self) -> str:
        by = self.actor_username or SYSTEM_ACTOR
        return f"{self.get_action_display()}: {self.team_name} by {by}"

    @classmethod
    def record(
        cls, *, team: Team, action: str, actor=None, ip_address: str | None = None, detail: str = ""
    ) -> KeyAuditEntry:
        return cls.objects.create(
            team=team,
            team_name=team.name,
            actor=actor_user(actor),
            actor_username=actor_username(actor),
            action=action,
            ip_address=ip_address,
            detail=detail[:300],
        )


class Decision(models.Model):
    """A recruiter's accept or reject: recorded here first, then sent to Willo by a task.

    PENDING until Willo confirms it (SENT), first through an undo window (``send_after``)
    in which Willo has not heard of it and *Undo* makes it UNDONE; a newer decision for the
    same candidate made before this one was sent makes it SUPERSEDED. FAILED when Willo
    refused it or every attempt was used. Never shown as done before Willo confirmed it.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNDONE = "undone", "Undone"
        SUPERSEDED = "superseded", "Replaced before it was sent"

    class Status(models.TextChoices):
        ACCEPTED = "Accepted", "Accept"
        REJECTED = "Rejected", "Reject"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="decisions")
    scope = models.CharField(max_length=32, blank=True, default="")
    # The agency user relation's digest (see Scope.relation) the decision is sent as.
    relation = models.CharField(max_length=64, blank=True, default="")
    participant_key = models.CharField(max_length=64)
    participant_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # The undo window ends here; nothing is sent before.
    send_after = models.DateTimeField(null=True, blank=True)
    # When a PENDING decision may be tried next (the window's end, then the backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set while an attempt is in flight; a worker killed mid-send leaves it to expire.
    sending_until = models.DateTimeField(null=True, blank=True)
    # The last attempt may have reached Willo: read the candidate before sending again.
    check_first = models.BooleanField(default=False)
    attempts = models.IntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by_username = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The latest decision per candidate (candidate page, table, retry button).
            models.Index(
                fields=["team", "scope", "participant_key", "-created_at"],
                name="decision_latest",
            ),
            # The sweep: PENDING decisions by when they are due.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="decision_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} {self.participant_key} ({self.get_state_display()})"

    @property
    def undoable(self) -> bool:
        """Willo has not heard of it: no attempt has started."""
        return self.state == self.State.PENDING and self.attempts == 0 and not self.sending_until

    @property
    def in_undo_window(self) -> bool:
        return self.undoable and self.send_after is not None and timezone.now() < self.send_after

    @property
    def seconds_to_send(self) -> int:
        """Whole seconds left in the undo window (0 once it has passed)."""
        if self.send_after is None:
            return 0
        return max(0, math.ceil((self.send_after - timezone.now()).total_seconds()))


class IdentityReveal(models.Model):
    """Who revealed a candidate's masked identity document data, when and from where."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="identity_reveals")
    scope = models.CharField(max_length=32, blank=True, default="")
    participant_key = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.participant_key} revealed by {self.actor_username or SYSTEM_ACTOR}"


class CandidateNumber(models.Model):
    """A candidate's number within their job, which blind review shows instead of their
    name ("Candidate 12"): given once, in the order Willo invited them, and never
    reused within the job."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="candidate_numbers")
    scope = models.CharField(max_length=32, blank=True, default="")
    interview_key = models.CharField(max_length=64)
    participant_key = models.CharField(max_length=64)
    number = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "participant_key"], name="candidate_number_once"
            ),
            models.UniqueConstraint(
                fields=["team", "scope", "interview_key", "number"],
                name="candidate_number_unique_in_job",
            ),
        ]

    def __str__(self) -> str:
        return f"Candidate {self.number} of {self.interview_key}"


class BlindReveal(models.Model):
    """A member who reviews blind saw a candidate's identity: they asked, or they decided."""

    class Reason(models.TextChoices):
        ASKED = "asked", "Asked to reveal"
        DECIDED = "decided", "Decided"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="blind_reveals")
    scope = models.CharField(max_length=32, blank=True, default="")
    participant_key = models.CharField(max_length=64)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blind_reveals"
    )
    viewer_username = models.CharField(max_length=150)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "participant_key", "viewer"], name="blind_reveal_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_key} revealed to {self.viewer_username}"


NOTE_MAX_CHARACTERS = 5000


class Review(models.Model):
    """A member's review of a candidate: an overall recommendation, an optional review note,
    and ratings of the answers (``AnswerRating``). The team's own: Willo never hears of it.

    One per member and candidate, changed in place; each save is kept as a
    ``ReviewRevision``, which the timeline shows.
    """

    class Recommendation(models.TextChoices):
        STRONG_YES = "strong_yes", "Strong yes"
        YES = "yes", "Yes"
        NO = "no", "No"
        STRONG_NO = "strong_no", "Strong no"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="reviews")
    scope = models.CharField(max_length=32, blank=True, default="")
    participant_key = models.CharField(max_length=64)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer_username = models.CharField(max_length=150)
    # "" until the member gives one: until then, under independent review, they see only
    # their own review of the candidate.
    recommendation = models.CharField(
        max_length=10, choices=Recommendation.choices, blank=True, default=""
    )
    note = models.TextField(blank=True, max_length=NOTE_MAX_CHARACTERS)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "scope", "participant_key", "reviewer"],
                name="review_one_per_member_and_candidate",
            )
        ]
        indexes = [
            models.Index(fields=["team", "scope", "participant_key"], name="review_candidate"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_key} reviewed by {self.reviewer_username}"


class AnswerRating(models.Model):
    """A member's rating of one answer, 1 to 5, part of their review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    answer_key = models.CharField(max_length=64)
    rating = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "answer_key"], name="rating_one_per_review_and_answer"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="rating_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.answer_key}: {self.rating}"


class ReviewRevision(models.Model):
    """A review as it was saved, once per save: the history the timeline shows."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="revisions")
    recommendation = models.CharField(
        max_length=10, choices=Review.Recommendation.choices, blank=True, default=""
    )
    note = models.TextField(blank=True)
    ratings = models.JSONField(default=dict)  # {answer key: rating}
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.review} at {self.at:%Y-%m-%d %H:%M}"


class Note(models.Model):
    """A member's note on a candidate, visible to the whole team (discussion, not a review:
    independent review does not hide it). May mention members (``Mention``)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="notes")
    scope = models.CharField(max_length=32, blank=True, default="")
    participant_key = models.CharField(max_length=64)
    participant_name = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_username = models.CharField(max_length=150, blank=True)
    text = models.TextField(max_length=NOTE_MAX_CHARACTERS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["team", "scope", "participant_key", "-created_at"], name="note_candidate"
            ),
        ]

    def __str__(self) -> str:
        return f"Note on {self.participant_key} by {self.author_username or SYSTEM_ACTOR}"


class Mention(models.Model):
    """A member named in a note with @username; listed under Mentions until seen."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-note__created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["note", "user"], name="mention_one_per_note_and_user")
        ]
        indexes = [models.Index(fields=["user", "seen_at"], name="mention_unseen")]

    def __str__(self) -> str:
        return f"{self.user} in {self.note}"


class MemberPreferences(models.Model):
    """How one member likes to work, in every team: the keyboard shortcuts, the playback
    speed and autoplay of answers in review. A member without a row has the defaults."""

    SPEEDS = ("0.75", "1", "1.25", "1.5", "2")
    DEFAULT_SPEED = "1"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    # Single-key shortcuts can be turned off (WCAG 2.1.4: they would fire from speech input).
    shortcuts = models.BooleanField("single-key shortcuts", default=True)
    playback_speed = models.CharField(
        max_length=4, choices=[(s, f"{s}×") for s in SPEEDS], default=DEFAULT_SPEED
    )
    autoplay = models.BooleanField("play the next answer when one ends", default=False)
    # Blind review for this member in every team (a team can also turn it on for everyone).
    blind_review = models.BooleanField("blind review", default=False)
    # Emails to the member (each with a link back here).
    email_mentions = models.BooleanField("email me when I am mentioned", default=True)
    email_share_verdicts = models.BooleanField(
        "email me hiring managers' verdicts on my shares", default=True
    )
    email_digest = models.BooleanField("a daily digest of the jobs I follow", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "member preferences"

    def __str__(self) -> str:
        return f"Preferences of {self.user}"


SHARE_DEFAULT_DAYS, SHARE_MAX_DAYS = 14, 90
SHARE_COMMENT_MAX_CHARACTERS = 2000


class Share(models.Model):
    """A link through which a hiring manager without an account reviews a shortlist of one
    job's candidates. Only a hash of the link's token is kept: the link is shown once.

    The team's own, like reviews: Willo never hears of it, nor of the manager's verdicts.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="shares")
    scope = models.CharField(max_length=32, blank=True, default="")
    relation = models.CharField(max_length=64, blank=True, default="")  # digest, as decisions
    interview_key = models.CharField(max_length=64)
    interview_title = models.CharField(max_length=300, blank=True)
    recipient_name = models.CharField("hiring manager's name", max_length=200)
    recipient_email = models.EmailField("hiring manager's email")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    days = models.PositiveSmallIntegerField(default=SHARE_DEFAULT_DAYS)
    show_contact_details = models.BooleanField("contact details", default=False)
    blind = models.BooleanField("blind", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    link_made_at = models.DateTimeField(default=timezone.now)  # the current token's
    link_made_by_username = models.CharField(max_length=150, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_username = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["team", "scope", "interview_key"], name="share_job"),
        ]

    def __str__(self) -> str:
        return f"Share of {self.interview_key} with {self.recipient_name}"

    def state(self, now=None) -> str:
        """ "active", "expired" or "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= (now or timezone.now()) else "active"

    @property
    def link_renewed(self) -> bool:
        """Whether the current link came from *New link* rather than the share's creation."""
        return self.link_made_at != self.created_at


class SharedCandidate(models.Model):
    """A candidate on a share's shortlist, in the order the recruiter chose."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="candidates")
    participant_key = models.CharField(max_length=64, db_index=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["share", "participant_key"], name="shared_candidate_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_key} in {self.share}"


class ShareVerdict(models.Model):
    """The hiring manager's verdict on one candidate of the share, with a comment; one per
    candidate and share, changed in place."""

    class Verdict(models.TextChoices):
        YES = "yes", "Yes"
        MAYBE = "maybe", "Maybe"
        NO = "no", "No"

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="verdicts")
    participant_key = models.CharField(max_length=64, db_index=True)
    verdict = models.CharField(max_length=5, choices=Verdict.choices)
    comment = models.TextField(blank=True, max_length=SHARE_COMMENT_MAX_CHARACTERS)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["share", "participant_key"], name="share_verdict_one_per_candidate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} on {self.participant_key}"


class ShareView(models.Model):
    """One opening of a share's page: the shortlist (no candidate) or one candidate."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="views")
    participant_key = models.CharField(max_length=64, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.share} viewed at {self.at:%Y-%m-%d %H:%M}"


# The email models live beside (dashboard/email_records.py); importing them here registers
# them with this app.
from dashboard.email_records import (  # noqa: E402, F401
    CandidateFirstName,
    EmailTemplate,
    JobEmailTemplate,
    JobFollow,
    OutboundEmail,
)
