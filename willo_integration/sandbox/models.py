"""The sandbox's own tables: a small, faithful model of a Willo account.

Every public object carries a 32-hex ``key`` as Willo's do; the database id
never leaves the sandbox.
"""

# Willo's JSON tells null from "" for many strings, so nullable CharFields are deliberate.
# ruff: noqa: DJ001
from __future__ import annotations

import uuid

from django.db import models


def new_key() -> str:
    return uuid.uuid4().hex


class KeyField(models.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("default", new_key)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


class SandboxModel(models.Model):
    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(getattr(self, "key", None) or self.pk)


class Role(models.TextChoices):
    OWNER = "owner"
    ADMIN = "admin"
    STANDARD = "standard"


class ParticipantStatus(models.TextChoices):
    INVITED = "Invited"
    STARTED = "Started"
    COMPLETED = "Completed"
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


class AnswerType(models.TextChoices):
    VIDEO = "video"
    AUDIO = "audio"
    FILE = "file"
    TEXT = "text"
    MULTIPLE_CHOICE = "multiple_choice"
    CHECKBOXES = "checkboxes"
    IDV = "idv"
    RTW = "rtw"
    DBS = "dbs"
    DBS_RTW = "dbs_rtw"


IDV_ANSWER_TYPES = frozenset({"idv", "rtw", "dbs", "dbs_rtw"})
CHOICE_ANSWER_TYPES = frozenset({"multiple_choice", "checkboxes"})

LANGUAGE_CODES = (
    "en", "zh", "hi", "es", "fr", "ar", "ru", "id", "de", "nl",
    "el", "zhtw", "cy", "ua", "it", "ko", "ja", "ht",
)  # fmt: skip


class WebhookEvent(models.TextChoices):
    NEW_RESPONSE = "new_response"
    STATUS_CHANGE = "status_change"
    NEW_COMMENT = "new_comment"
    NEW_SCORE = "new_score"


class Organisation(SandboxModel):
    key = KeyField()
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    # Willo must authorise an organisation before it may have children.
    is_parent = models.BooleanField(default=False)
    verification_status = models.CharField(max_length=32, default="verified")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class SandboxUser(SandboxModel):
    key = KeyField()
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="users")
    email = models.EmailField()
    full_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=32, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    status = models.CharField(max_length=16, default="joined")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.email

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)


class ApiKey(SandboxModel):
    key = models.CharField(max_length=128, unique=True)
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="api_keys")
    created_at = models.DateTimeField(auto_now_add=True)


class UserRelation(SandboxModel):
    """A user's membership of a child organisation; its key is an X-Agency-User-Key."""

    key = KeyField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="user_relations"
    )
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="relations")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ADMIN)
    status = models.CharField(max_length=16, default="joined")


class Industry(SandboxModel):
    key = KeyField()
    name = models.CharField(max_length=100)


class Department(SandboxModel):
    key = KeyField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(max_length=200)
    owner = models.ForeignKey(
        SandboxUser, on_delete=models.CASCADE, related_name="owned_departments"
    )
    members = models.ManyToManyField(SandboxUser, blank=True, related_name="departments")
    industry = models.ForeignKey(Industry, null=True, blank=True, on_delete=models.SET_NULL)
    location = models.CharField(max_length=200, blank=True)
    website = models.CharField(max_length=300, blank=True)
    primary_colour = models.CharField(max_length=16, blank=True)
    secondary_colour = models.CharField(max_length=16, blank=True)
    logo = models.CharField(max_length=300, blank=True)
    is_default = models.BooleanField(default=False)
    is_global = models.BooleanField(default=False)
    created_at = models.DateTimeField()


class MessageTemplate(SandboxModel):
    key = KeyField()
    # Null for Willo's system defaults, which every organisation sees.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="templates"
    )
    title = models.CharField(max_length=200)
    type = models.CharField(max_length=8)
    trigger = models.CharField(max_length=16)
    content = models.TextField()
    system_default = models.BooleanField(default=False)
    created_at = models.DateTimeField()


MESSAGE_TEMPLATE_SLOTS = (
    "invitation_email",
    "invitation_sms",
    "reminder_email",
    "reminder_sms",
    "interview_completed_email",
)


class Interview(SandboxModel):
    key = KeyField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="interviews"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="interviews")
    owner = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="interviews")
    title = models.CharField(max_length=200)
    default_language = models.CharField(max_length=8, null=True, blank=True)
    salary = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    intro_video = models.CharField(max_length=300, blank=True)
    invite_code = models.CharField(max_length=16)
    status = models.CharField(max_length=16, default="published")
    reviewers = models.ManyToManyField(SandboxUser, blank=True, related_name="reviewing")
    reviewers_to_notify = models.ManyToManyField(SandboxUser, blank=True, related_name="notified")
    invitation_email = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invitation_sms = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_email = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_sms = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interview_completed_email = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    redirect_url = models.CharField(max_length=300, null=True, blank=True)
    show_hints_and_tips = models.BooleanField(default=True)
    show_availability_calendar = models.BooleanField(default=True)
    deadline = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()


class Category(SandboxModel):
    key = KeyField()
    name = models.CharField(max_length=100)


class InterviewTemplate(SandboxModel):
    key = KeyField()
    title = models.CharField(max_length=200)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="templates")
    is_featured = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    template_description = models.TextField(blank=True)
    author_name = models.CharField(max_length=100)


class Question(SandboxModel):
    key = KeyField()
    interview = models.ForeignKey(
        Interview, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    template = models.ForeignKey(
        InterviewTemplate, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.TextField()
    order = models.IntegerField()
    max_duration = models.IntegerField(null=True, blank=True)
    max_retakes = models.IntegerField(null=True, blank=True)
    answer_type = models.CharField(max_length=20, choices=AnswerType.choices)
    thinking_time = models.IntegerField(null=True, blank=True)
    max_characters = models.IntegerField(null=True, blank=True)
    max_words = models.IntegerField(null=True, blank=True)
    is_skip_allowed = models.BooleanField(default=False)
    idv_country_of_employment_iso_code = models.CharField(max_length=3, null=True, blank=True)
    idv_max_checks = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]


class AnswerOption(SandboxModel):
    key = KeyField()
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=256)
    order = models.IntegerField()
    is_correct = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]


class ScorecardCriterion(SandboxModel):
    key = KeyField()
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True)
    order = models.IntegerField()
    is_optional = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "id"]


class Participant(SandboxModel):
    key = KeyField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="participants"
    )
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="participants")
    email = models.EmailField()
    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=ParticipantStatus.choices)
    status_changed_by = models.CharField(max_length=200, null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    send_notifications = models.BooleanField(default=True)
    custom_id = models.CharField(max_length=100, null=True, blank=True)
    summary = models.TextField(null=True, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country_name = models.CharField(max_length=100, blank=True)
    country_code = models.CharField(max_length=2, blank=True)
    invite_code = models.CharField(max_length=16)
    availability = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The list endpoint's default ordering, scoped to an organisation.
            models.Index(
                fields=["organisation", "-created_at", "-id"], name="sandbox_part_org_created"
            ),
        ]


class Answer(SandboxModel):
    key = KeyField()
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    is_finished = models.BooleanField(default=True)
    media_extension = models.CharField(max_length=8, null=True, blank=True)
    is_media_deleted = models.BooleanField(default=False)
    text = models.TextField(null=True, blank=True)
    spent_time = models.IntegerField(default=0)
    status = models.CharField(max_length=16, default="processed")
    reason = models.CharField(max_length=200, null=True, blank=True)
    additional_info = models.JSONField(default=dict, blank=True)
    selected_options = models.ManyToManyField(AnswerOption, blank=True, related_name="answers")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()


class Transcript(SandboxModel):
    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="transcript")
    text = models.TextField()
    language = models.CharField(max_length=8)
    confidence = models.FloatField()


class Score(SandboxModel):
    key = KeyField()
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="scores")
    scored_by = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="scores")
    general_score = models.DecimalField(max_digits=4, decimal_places=2)
    scored_at = models.DateTimeField()


class CriterionScore(SandboxModel):
    key = KeyField()
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="by_criteria")
    criterion = models.ForeignKey(ScorecardCriterion, on_delete=models.CASCADE)
    value = models.DecimalField(max_digits=4, decimal_places=2)


class Comment(SandboxModel):
    key = KeyField()
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()
    created_at = models.DateTimeField()


class IdvSession(SandboxModel):
    """One identity check; the long Yoti-shaped report is rendered from these fields."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="idv_session"
    )
    check_type = models.CharField(max_length=8)
    status = models.CharField(max_length=16, default="completed")
    share_code = models.CharField(max_length=16, null=True, blank=True)
    passed = models.BooleanField(default=True)
    # Sub-checks that failed, e.g. ["hologram_movement", "ai_face_match"].
    failed_checks = models.JSONField(default=list, blank=True)
    document_type = models.CharField(max_length=32, default="PASSPORT")
    document_number = models.CharField(max_length=32)
    issuing_country = models.CharField(max_length=3, default="GBR")
    date_of_birth = models.DateField()
    created_at = models.DateTimeField()


class Webhook(SandboxModel):
    key = KeyField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhooks"
    )
    created_by = models.ForeignKey(SandboxUser, null=True, on_delete=models.SET_NULL)
    interviews = models.ManyToManyField(Interview, blank=True)
    departments = models.ManyToManyField(Department, blank=True)
    users = models.ManyToManyField(SandboxUser, blank=True, related_name="followed_by_webhooks")
    follow_all_interviews = models.BooleanField(default=False)
    url = models.CharField(max_length=500)
    event = models.CharField(max_length=20, choices=WebhookEvent.choices)
    token = models.CharField(max_length=128, null=True, blank=True)
    return_transcripts = models.BooleanField(default=False)
    return_summary = models.BooleanField(default=False)
    created_at = models.DateTimeField()


class WebhookDelivery(SandboxModel):
    """One attempt to deliver one event to one webhook."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=64)
    event = models.CharField(max_length=20)
    attempt = models.PositiveIntegerField()
    url = models.CharField(max_length=500)
    payload = models.JSONField()
    status_code = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)


class Language(SandboxModel):
    iso_code = models.CharField(max_length=8, unique=True)


class IdvCountry(SandboxModel):
    iso_3 = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=100)
