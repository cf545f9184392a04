"""Typed Willo payloads (pydantic v2), tolerant of the API's inconsistencies.

Every model keeps fields it does not know (``extra="allow"``) and treats anything
Willo may leave out as optional, so no response is refused or loses data.

Where Willo spells or shapes the same thing differently between endpoints, the
model exposes one normalised attribute (e.g. ``Participant.overview_link``) and
remembers what was sent: ``model_dump(by_alias=True, exclude_unset=True)`` gives
back the payload as Willo sent it, ``model_dump()`` the normalised view.

Reference: the vendored Postman collection,
tests/contract/willo-integration-api-v2.postman_collection.json (the source of truth).
"""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic.fields import FieldInfo

T = TypeVar("T")


class _OneOrMany:
    """Marks a list field that Willo sometimes sends as a single object."""


ONE_OR_MANY = _OneOrMany()


class WilloModel(BaseModel):
    """Base of every Willo payload: keeps unknown fields, reads Willo's alternative spellings."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    # What the normalisation changed, so a by_alias dump can restore the wire payload.
    _renamed: dict[str, str] = PrivateAttr(default_factory=dict)
    _wrapped: set[str] = PrivateAttr(default_factory=set)
    _derived: set[str] = PrivateAttr(default_factory=set)

    @classmethod
    def _derived_fields(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Values for fields Willo left out but sent under another shape (override per model)."""
        return {}

    @model_validator(mode="wrap")
    @classmethod
    def _read_quirks(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        if not isinstance(data, Mapping):
            return handler(data)
        data = dict(data)
        renamed: dict[str, str] = {}
        wrapped: set[str] = set()
        for name, field in cls.model_fields.items():
            key = _wire_key(name, field, data)
            if key is None:
                continue
            if key != name:
                renamed[name] = key
            if ONE_OR_MANY in field.metadata and isinstance(data[key], Mapping):
                data[key] = [data[key]]
                wrapped.add(name)
        derived = {
            name: value
            for name, value in cls._derived_fields(data).items()
            if _wire_key(name, cls.model_fields[name], data) is None
        }
        data.update(derived)
        model = handler(data)
        model._renamed, model._wrapped, model._derived = renamed, wrapped, set(derived)
        return model

    @model_serializer(mode="wrap")
    def _dump_as_sent(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        data = handler(self)
        if not info.by_alias:
            return data
        for name in self._derived:
            data.pop(name, None)
        for name in self._wrapped:
            if isinstance(data.get(name), list) and len(data[name]) == 1:
                data[name] = data[name][0]
        for name, key in self._renamed.items():
            if name in data:
                data[key] = data.pop(name)
        return data


def _wire_key(name: str, field: FieldInfo, data: Mapping[str, Any]) -> str | None:
    """The key that holds ``name`` in ``data``, picked in the same order pydantic picks it."""
    alias = field.validation_alias
    choices = alias.choices if isinstance(alias, AliasChoices) else [alias or name]
    for choice in choices:
        if isinstance(choice, str) and choice in data:
            return choice
    return None


def _blank_as_none(value: Any) -> Any:
    return None if isinstance(value, str | list) and not value else value


# --- enumerations: unknown values are kept as plain strings --------------------


class AnswerType(StrEnum):
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


class ParticipantStatus(StrEnum):
    INVITED = "Invited"
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"


# The statuses a recruiter's decision sets (the only ones Willo's PATCH takes).
DECISION_STATUSES = (ParticipantStatus.ACCEPTED.value, ParticipantStatus.REJECTED.value)


class IdvCheckType(StrEnum):
    IDV = "idv"  # identity verification
    RTW = "rtw"  # right to work
    DBS = "dbs"  # Disclosure and Barring Service
    DBS_RTW = "dbs_rtw"  # DBS check for right to work


# The answer types of an identity check: one per kind of check.
IDENTITY_ANSWER_TYPES = frozenset(AnswerType(check.value) for check in IdvCheckType)
# Answers that pick options of the question (which may mark the correct ones).
CHOICE_ANSWER_TYPES = frozenset({AnswerType.MULTIPLE_CHOICE, AnswerType.CHECKBOXES})


class WebhookEventType(StrEnum):
    NEW_RESPONSE = "new_response"
    STATUS_CHANGE = "status_change"
    NEW_COMMENT = "new_comment"
    NEW_SCORE = "new_score"

    @classmethod
    def from_name(cls, name: str | None) -> "WebhookEventType | None":
        """The canonical event for any spelling Willo uses; None for names it never documents."""
        if name is None:
            return None
        name = name.strip().lower()
        # quirk: the glossary, the delivery docs and the request examples say "stage_change"
        name = {"stage_change": cls.STATUS_CHANGE.value}.get(name, name)
        try:
            return cls(name)
        except ValueError:
            return None  # e.g. "accepted" in the List Webhooks example: undocumented


AnswerTypeValue = Annotated[AnswerType | str, Field(union_mode="left_to_right")]
ParticipantStatusValue = Annotated[ParticipantStatus | str, Field(union_mode="left_to_right")]
IdvCheckTypeValue = Annotated[IdvCheckType | str, Field(union_mode="left_to_right")]
# Third-party identity data: a date when it parses, else the string as sent ("" is common).
LenientDate = Annotated[date | str, Field(union_mode="left_to_right")]


# --- pagination ------------------------------------------------------------------


class Page(WilloModel, Generic[T]):
    """One page of a paginated list (page_size 1..30)."""

    count: int | None = None
    next: str | None = None
    previous: str | None = None
    results: list[T]  # required: a body without it is not a page


# --- people and organisations -----------------------------------------------------


class UserRef(WilloModel):
    """A Willo user as embedded in other objects (owner, reviewer, author)."""

    key: str | None = None
    email: str | None = None
    full_name: str | None = None


Owner = UserRef


class User(UserRef):
    key: str
    role: str | None = None  # owner, admin, standard
    status: str | None = None
    phone: str | None = None


class Organisation(WilloModel):
    key: str
    name: str | None = None


class UserRelation(WilloModel):
    """A user's membership of a child organisation."""

    key: str  # what a parent sends as X-Agency-User-Key to act inside the child
    user: UserRef | None = None
    role: str | None = None
    status: str | None = None


class ChildOrganisation(WilloModel):
    key: str
    name: str | None = None
    verification_status: str | None = None
    owner: UserRef | None = None
    user_relations: list[UserRelation] = []


# --- departments, reference lists ----------------------------------------------------


class Industry(WilloModel):
    key: str
    name: str | None = None


class Department(WilloModel):
    """A department: list item, detail, or embedded reference (key and name only)."""

    key: str
    name: str | None = None
    owner: UserRef | None = None
    location: str | None = None
    # quirk: embedded as "company" in a template-created interview, with its own field names
    # (site, layout_color = header/footer colour, button_color = button colour)
    website: str | None = Field(None, validation_alias=AliasChoices("website", "site"))
    primary_colour: str | None = Field(
        None, validation_alias=AliasChoices("primary_colour", "layout_color")
    )
    secondary_colour: str | None = Field(
        None, validation_alias=AliasChoices("secondary_colour", "button_color")
    )
    logo: str | None = None
    industry: Industry | None = None
    is_default: bool | None = None
    is_global: bool | None = None


class IdvCountry(WilloModel):
    """A country of employment for identity checks."""

    name: str | None = None
    iso_3: str | None = None


class Language(WilloModel):
    iso_code: str | None = None


class MessageTemplate(WilloModel):
    """An email or SMS template; interviews created from a template embed title and content only."""

    key: str | None = None
    title: str | None = None
    type: str | None = None  # email, sms
    trigger: str | None = None  # invite, reminder, success_email
    content: str | None = None
    system_default: bool | None = None


# --- interviews and questions ----------------------------------------------------------


class AnswerOption(WilloModel):
    key: str
    text: str | None = None
    order: int | None = None
    is_correct: bool | None = None


class QuestionTypeSpecificData(WilloModel):
    answer_options: list[AnswerOption] = []


class Question(WilloModel):
    key: str
    text: str | None = None
    html_text: str | None = None  # quirk: absent from some examples' questions
    order: int | None = None
    answer_type: AnswerTypeValue | None = None
    max_duration: int | None = None  # seconds (video, audio)
    max_retakes: int | None = None
    thinking_time: int | None = None  # seconds
    max_characters: int | None = None
    max_words: int | None = None
    is_skip_allowed: bool | None = None
    idv_country_of_employment_iso_code: str | None = None
    idv_max_checks: int | None = None
    type_specific_data: QuestionTypeSpecificData | None = None

    @property
    def answer_options(self) -> list[AnswerOption]:
        return self.type_specific_data.answer_options if self.type_specific_data else []


class InterviewSettings(WilloModel):
    redirect_url: str | None = None
    # quirk: "show_hints" on an interview created from a template
    show_hints_and_tips: bool | None = Field(
        None, validation_alias=AliasChoices("show_hints_and_tips", "show_hints")
    )
    show_availability_calendar: bool | None = None
    deadline: datetime | None = None
    deadline_timezone: str | None = None


class MessageTemplates(WilloModel):
    """The message templates an interview uses, per slot: a template key or the template itself."""

    # quirk: the interview detail (GET) spells the slots email_invite_template, ...;
    # create/update answer invitation_email, ...; template-created interviews inline the template
    invitation_email: str | MessageTemplate | None = Field(
        None, validation_alias=AliasChoices("invitation_email", "email_invite_template")
    )
    invitation_sms: str | MessageTemplate | None = Field(
        None, validation_alias=AliasChoices("invitation_sms", "sms_invite_template")
    )
    reminder_email: str | MessageTemplate | None = Field(
        None, validation_alias=AliasChoices("reminder_email", "email_reminder_template")
    )
    reminder_sms: str | MessageTemplate | None = Field(
        None, validation_alias=AliasChoices("reminder_sms", "sms_reminder_template")
    )
    interview_completed_email: str | MessageTemplate | None = Field(
        None, validation_alias=AliasChoices("interview_completed_email", "email_success_template")
    )


_FLAT_SETTINGS = (
    "redirect_url",
    "show_hints",
    "show_hints_and_tips",
    "show_availability_calendar",
    "deadline",
    "deadline_timezone",
)


class Interview(WilloModel):
    """An interview (a job): list item, detail, or embedded reference (key and title)."""

    key: str
    title: str | None = None
    status: str | None = None  # e.g. "draft"
    default_language: str | None = None
    salary: str | None = None
    description: str | None = None
    invite_link: str | None = None
    # quirk: "video_link" on an interview created from a template
    intro_video: str | None = Field(
        None, validation_alias=AliasChoices("intro_video", "video_link")
    )
    video_playlist_link: str | None = None
    is_own_video: bool | None = None
    created_at: datetime | None = None
    owner: UserRef | None = None
    organisation: Organisation | None = None
    # quirk: "company" on an interview created from a template
    department: Department | None = Field(
        None, validation_alias=AliasChoices("department", "company")
    )
    reviewers: list[UserRef] = []
    reviewers_to_notify: list[UserRef] = []
    message_templates: MessageTemplates | None = None
    questions: list[Question] = []
    settings: InterviewSettings | None = None
    candidates_cnt: int | None = None
    new_candidates_cnt: int | None = None
    accepted_cnt: int | None = None
    rejected_cnt: int | None = None
    draft_data: dict[str, Any] | None = None
    scorecard: Any = None  # shape undocumented: null in the only example

    @classmethod
    def _derived_fields(cls, data: dict[str, Any]) -> dict[str, Any]:
        derived: dict[str, Any] = {}
        # quirk: an interview created from a template puts its settings on the interview itself
        flat = {name: data[name] for name in _FLAT_SETTINGS if name in data}
        if flat:
            derived["settings"] = flat
        # quirk: ... and names its creator with created_by_email / created_by_name, not owner
        if "created_by_email" in data or "created_by_name" in data:
            derived["owner"] = {
                "email": data.get("created_by_email"),
                "full_name": data.get("created_by_name"),
            }
        return derived


# --- interview templates ------------------------------------------------------------------


class Category(WilloModel):
    key: str
    name: str | None = None


class TemplateAuthor(WilloModel):
    name: str | None = None
    image: str | None = None


class InterviewTemplate(WilloModel):
    """A ready-made interview: list item (questions_count) or detail (questions)."""

    key: str
    title: str | None = None
    is_featured: bool | None = None
    description: str | None = None  # for recruiters: what the template assesses
    template_description: str | None = None  # for candidates: the interview's introduction
    category: Category | None = None
    author: TemplateAuthor | None = None
    questions_count: int | None = None
    questions: list[Question] = []


# --- participants and answers --------------------------------------------------------------


class Location(WilloModel):
    city: str | None = None
    country_name: str | None = None
    country_code: str | None = None


class ParticipantScore(WilloModel):
    """The average of the scores the hiring team gave a participant."""

    average_score_snapshot: float | None = None
    average_score_count: int | None = None
    average_score_updated_at: datetime | None = None


class Transcript(WilloModel):
    text: str | None = None
    language: str | None = None
    confidence: float | None = None


class SelectedAnswerOption(WilloModel):
    key: str | None = None
    option: str | None = None  # key of the question's AnswerOption
    is_correct: bool | None = None


class AnswerTypeSpecificData(WilloModel):
    selected_answer_options: list[SelectedAnswerOption] = []


class AnswerAdditionalInfo(WilloModel):
    share_code: str | None = None  # right-to-work share code


class Answer(WilloModel):
    """A participant's answer to one question: media, text or selected options."""

    key: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    status: str | None = None  # e.g. "processed"
    reason: str | None = None
    is_finished: bool | None = None
    text: str | None = None
    remote_link: str | None = None
    media_extension: str | None = None
    is_media_deleted: bool | None = None
    spent_time: int | None = None  # seconds
    transcript: Transcript | None = None
    additional_info: AnswerAdditionalInfo | None = None
    type_specific_data: AnswerTypeSpecificData | None = None
    question: Question | None = None

    @property
    def answer_type(self) -> AnswerType | str | None:
        return self.question.answer_type if self.question else None

    @property
    def selected_option_keys(self) -> set[str | None]:
        """The keys of the options the participant picked (multiple choice, checkboxes)."""
        if not self.type_specific_data:
            return set()
        return {s.option for s in self.type_specific_data.selected_answer_options}

    @property
    def selected_options(self) -> list[AnswerOption]:
        """The question's options the participant picked (multiple choice, checkboxes)."""
        if not self.question:
            return []
        picked = self.selected_option_keys
        return [option for option in self.question.answer_options if option.key in picked]


class Participant(WilloModel):
    """A participant (candidate): list item, detail, invite and update responses, and the
    body of new_response / status_change webhook deliveries."""

    key: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    custom_id: str | None = None
    status: ParticipantStatusValue | None = None
    status_changed_by: str | None = None  # an email address
    status_changed_at: datetime | None = None
    send_notifications: bool | None = None
    summary: str | None = None
    invite_link: str | None = None
    interview: Interview | None = None
    department: Department | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    location: Location | None = None
    showcase_link: str | None = None
    # quirk: "overview_link" in the list, "candidate_overview_link" in detail and webhooks
    overview_link: str | None = Field(
        None, validation_alias=AliasChoices("overview_link", "candidate_overview_link")
    )
    avatar_remote_link: str | None = None
    availability: list[datetime] = []
    score: ParticipantScore | None = None
    avg_score: Decimal | None = None  # only in new_score deliveries, as a string ("5.00")
    answers: list[Answer] = []


# --- identity verification ------------------------------------------------------------------


class IdvMediaRef(WilloModel):
    id: str | None = None
    type: str | None = None  # IMAGE, JSON, BINARY
    created: datetime | None = None
    last_updated: datetime | None = None


class IdvMediaHolder(WilloModel):
    media: IdvMediaRef | None = None


class IdvSource(WilloModel):
    type: str | None = None


class IdvTask(WilloModel):
    id: str | None = None
    type: str | None = None
    state: str | None = None
    created: datetime | None = None
    last_updated: datetime | None = None
    generated_checks: list[Any] = []
    generated_media: list[IdvMediaRef] = []


class IdvPage(WilloModel):
    capture_method: str | None = None
    media: IdvMediaRef | None = None
    frames: list[IdvMediaHolder] = []


class IdvDocument(WilloModel):
    id: str | None = None
    document_type: str | None = None
    issuing_country: str | None = None
    source: IdvSource | None = None
    tasks: list[IdvTask] = []
    pages: list[IdvPage] = []
    document_fields: IdvMediaHolder | None = None
    document_id_photo: IdvMediaHolder | None = None


class IdvLivenessCapture(WilloModel):
    id: str | None = None
    liveness_type: str | None = None
    source: IdvSource | None = None
    tasks: list[IdvTask] = []
    frames: list[IdvMediaHolder] = []
    facemap: IdvMediaHolder | None = None


class IdvResources(WilloModel):
    id_documents: list[IdvDocument] = []
    supplementary_documents: list[IdvDocument] = []
    liveness_capture: list[IdvLivenessCapture] = []
    face_capture: list[dict[str, Any]] = []
    applicant_profiles: list[dict[str, Any]] = []


class IdvDetail(WilloModel):
    name: str | None = None
    value: str | None = None


class IdvSubCheck(WilloModel):
    sub_check: str | None = None
    result: str | None = None  # PASS, FAIL
    details: list[IdvDetail] = []


class IdvRecommendation(WilloModel):
    value: str | None = None  # APPROVE, REJECT, NOT_AVAILABLE


class IdvCheckReport(WilloModel):
    recommendation: IdvRecommendation | None = None
    breakdown: list[IdvSubCheck] = []


class IdvCheck(WilloModel):
    id: str | None = None
    type: str | None = None  # ID_DOCUMENT_AUTHENTICITY, LIVENESS, ID_DOCUMENT_FACE_MATCH, ...
    state: str | None = None
    created: datetime | None = None
    last_updated: datetime | None = None
    resources_used: list[str] = []
    generated_media: list[IdvMediaRef] = []
    report: IdvCheckReport | None = None
    generated_profile: IdvMediaHolder | None = None

    @property
    def recommendation(self) -> str | None:
        if self.report and self.report.recommendation:
            return self.report.recommendation.value
        return None

    @property
    def failed_sub_checks(self) -> list[IdvSubCheck]:
        breakdown = self.report.breakdown if self.report else []
        return [sub for sub in breakdown if (sub.result or "").upper() == "FAIL"]


class IdvScheme(WilloModel):
    type: str | None = None  # e.g. RTW
    objective: str | None = None


class SchemeCompliance(WilloModel):
    scheme: IdvScheme | None = None
    requirements_met: bool | None = None
    requirements_not_met_info: Any = None


class IdentityProfileReport(WilloModel):
    trust_framework: str | None = None
    media: IdvMediaRef | None = None
    schemes_compliance: list[SchemeCompliance] = []


class IdentityProfile(WilloModel):
    result: str | None = None
    identity_profile_report: IdentityProfileReport | None = None


class IdvSession(WilloModel):
    session_id: str | None = None
    state: str | None = None
    client_session_token_ttl: int | None = None
    resources: IdvResources | None = None
    checks: list[IdvCheck] = []
    biometric_consent: datetime | None = None  # when the participant consented
    identity_profile: IdentityProfile | None = None  # absent for plain idv checks


class DocumentTextExtraction(WilloModel):
    full_name: str | None = None  # quirk: may carry a leading space (" Steven Paul Jobs")
    given_names: str | None = None
    family_name: str | None = None
    date_of_birth: LenientDate | None = None
    place_of_birth: str | None = None
    document_type: str | None = None
    document_number: str | None = None
    issuing_country: str | None = None
    issuing_authority: str | None = None
    date_of_issue: LenientDate | None = None
    expiration_date: LenientDate | None = None


class IdentityProof(WilloModel):
    jws: str | None = None
    public_key_url: str | None = None


class PersonName(WilloModel):
    full_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    given_names: str | None = None
    family_name: str | None = None


class IdentityAssertion(WilloModel):
    current_name: PersonName | None = None
    date_of_birth: LenientDate | None = None
    current_address: Any = None  # quirk: the string "None" when there is none; kept as sent


class Assurance(WilloModel):
    type: str | None = None
    classification: str | None = None
    evidence_links: list[str] = []


class AssuranceProcess(WilloModel):
    policy: str | None = None  # e.g. GPG45
    procedure: str | None = None
    level_of_assurance: str | None = None
    assurance: list[Assurance] = []


class VerificationReport(WilloModel):
    report_id: str | None = None
    timestamp: datetime | None = None
    subject_id: str | None = None
    trust_framework: str | None = None
    evidence: dict[str, Any] | None = None  # the provider's raw evidence, kept as sent
    assurance_process: AssuranceProcess | None = None
    schemes_compliance: list[SchemeCompliance] = []
    address_verification: Any = None  # quirk: the string "None" when absent


class IdentityProfileMediaData(WilloModel):
    proof: IdentityProof | None = None
    identity_assertion: IdentityAssertion | None = None
    verification_report: VerificationReport | None = None
    authentication_report: Any = None  # quirk: the string "None" when absent


class IdvInfo(WilloModel):
    """A participant's identity (IDV / right-to-work / DBS) check and its results."""

    check_type: IdvCheckTypeValue | None = None
    status: str | None = None  # e.g. "completed"
    share_code: str | None = None
    session_data: IdvSession | None = None
    document_text_extraction: DocumentTextExtraction | None = None
    # "empty" for plain idv checks (docs): {} parses as is, "" or [] is read as None
    identity_profile_media_data: Annotated[
        IdentityProfileMediaData | None, BeforeValidator(_blank_as_none)
    ] = None

    @property
    def checks(self) -> list[IdvCheck]:
        return self.session_data.checks if self.session_data else []


class IdvMedia(WilloModel):
    """The media file a participant gave during identity verification (binary, not JSON)."""

    content_type: str | None = None
    content: bytes = b""


# --- webhooks ---------------------------------------------------------------------------------


class PayloadConfiguration(WilloModel):
    return_transcripts: bool | None = None
    return_summary: bool | None = None


class Webhook(WilloModel):
    """A webhook registration (not a delivery: see WebhookEvent and parse_webhook_delivery)."""

    key: str
    url: str | None = None
    event: str | None = None  # as Willo sent it; read event_type
    token: str | None = None
    follow_all_interviews: bool | None = None
    interviews: list[Interview] = []
    # quirk: the List Webhooks example sends one department object instead of a list
    departments: Annotated[list[Department], ONE_OR_MANY] = []
    users: list[UserRef] = []
    payload_configuration: PayloadConfiguration | None = None

    @property
    def event_type(self) -> WebhookEventType | None:
        return WebhookEventType.from_name(self.event)


# Comments and scores come only in webhook deliveries, where any field may be missing
# (their keys too): each is optional, so a delivery is never refused for one.


class Comment(WilloModel):
    key: str | None = None
    text: str | None = None
    created_at: datetime | None = None
    author: UserRef | None = None


class ScorecardCriterion(WilloModel):
    key: str | None = None
    text: str | None = None
    description: str | None = None
    order: int | None = None
    is_optional: bool | None = None


class CriterionScore(WilloModel):
    key: str | None = None
    scorecard_criteria: ScorecardCriterion | None = None
    score: Decimal | None = None  # sent as a string ("5.00")


class Score(WilloModel):
    """One reviewer's scorecard for a participant."""

    key: str | None = None
    general_score: Decimal | None = None  # sent as a string ("5.00")
    scored_at: datetime | None = None
    scored_by: UserRef | None = None
    scores_by_criteria: list[CriterionScore] = []


class WebhookEventData(WilloModel):
    participant: Participant | None = None
    comment: Comment | None = None
    score: Score | None = None


class WebhookEvent(WilloModel):
    """The ``evt_`` envelope of new_comment and new_score deliveries."""

    id: str
    api_version: str | None = None
    type: str | None = None  # as Willo sent it; read event_type
    data: WebhookEventData | None = None

    @property
    def event_type(self) -> WebhookEventType | None:
        return WebhookEventType.from_name(self.type)


def parse_webhook_delivery(payload: Mapping[str, Any]) -> WebhookEvent | Participant:
    """Parse a webhook delivery body.

    new_comment and new_score arrive in an ``evt_`` envelope; new_response and
    status_change arrive as the bare participant, with no event name (the
    webhook registration it was sent for says which).
    """
    if is_webhook_envelope(payload):
        return WebhookEvent.model_validate(payload)
    return Participant.model_validate(payload)


def is_webhook_envelope(payload: Mapping[str, Any]) -> bool:
    """Whether a delivery is an ``evt_`` envelope (else it is the bare participant): its
    ``id`` is a string starting with "evt_". The one place this is decided."""
    event_id = payload.get("id")
    return isinstance(event_id, str) and event_id.startswith("evt_")
