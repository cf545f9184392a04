"""What the pages show of a participant (a candidate): their answers, the decision panel,
Willo's comments and scores, and the identity panel. The one place these are built, for
every view that shows them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from dashboard.links import is_web_url, web_url
from willo_integration import schemas
from willo_integration.models import CachedParticipant
from willo_integration.schemas import (
    CHOICE_ANSWER_TYPES,
    IDENTITY_ANSWER_TYPES,
    AnswerType,
    IdvCheckType,
)
from willo_integration.services.scope import Scope
from willo_integration.services.willo_feedback import participant_willo_feedback

MEDIA_TYPES = {AnswerType.VIDEO, AnswerType.AUDIO}
CHOICE_TYPES = CHOICE_ANSWER_TYPES
SHOWN_AS_IS = MEDIA_TYPES | CHOICE_TYPES | {AnswerType.TEXT, AnswerType.FILE}
CHECK_TYPE_NAMES = {
    IdvCheckType.IDV: "Identity",
    IdvCheckType.RTW: "Right to work",
    IdvCheckType.DBS: "DBS",
    IdvCheckType.DBS_RTW: "DBS with right to work",
}


@dataclass
class OptionView:
    text: str
    chosen: bool
    correct: bool | None


@dataclass
class AnswerView:
    """One answer as the candidate page shows it."""

    key: str
    number: int
    kind: str  # video, audio, text, file, multiple_choice, checkboxes, identity, other
    question_text: str
    answer: schemas.Answer
    max_retakes: int | None = None
    retakes: int | None = None
    media_state: str = ""  # "", "deleted", "processing", "unlinkable" (not http(s))
    options: list[OptionView] = field(default_factory=list)
    check_type_name: str = ""

    @property
    def media_url(self) -> str:
        return web_url(self.answer.remote_link)

    @property
    def mime_type(self) -> str:
        extension = (self.answer.media_extension or "").lower().lstrip(".")
        if not extension:
            return ""
        if extension == "mp3":
            return "audio/mpeg"
        return f"{self.kind}/{extension}"

    @property
    def transcript(self) -> schemas.Transcript | None:
        transcript = self.answer.transcript
        return transcript if transcript and transcript.text else None

    @property
    def confidence_percent(self) -> int | None:
        transcript = self.transcript
        if transcript is None or transcript.confidence is None:
            return None
        value = transcript.confidence
        return round(value * 100 if value <= 1 else value)

    @property
    def file_name(self) -> str:
        extension = (self.answer.media_extension or "").lstrip(".")
        return f"answer-{self.number}.{extension}" if extension else f"answer-{self.number}"


def _kind(answer_type: str) -> str:
    if answer_type in SHOWN_AS_IS:
        return answer_type
    if answer_type in IDENTITY_ANSWER_TYPES:
        return "identity"
    return "other"


def answer_views(payload: schemas.Participant | None, questions) -> list[AnswerView]:
    """The candidate's answers in question order, each with what its type needs to be shown.

    What the answer's own question leaves out is taken from the interview's question."""
    if payload is None:
        return []
    by_key = {q.key: q for q in questions}
    order = {q.key: i for i, q in enumerate(questions)}
    answers = sorted(
        payload.answers,
        key=lambda a: order.get(a.question.key if a.question else "", len(order)),
    )
    views = []
    for number, answer in enumerate(answers, start=1):
        question = answer.question
        full = by_key.get(question.key) if question else None
        answer_type = str((question and question.answer_type) or (full and full.answer_type) or "")
        kind = _kind(answer_type)
        options_source = (question.answer_options if question else []) or (
            full.answer_options if full else []
        )
        picked = answer.selected_option_keys
        extra = answer.model_extra or {}
        view = AnswerView(
            key=answer.key,
            number=number,
            kind=kind,
            question_text=(question and question.text) or (full and full.text) or "",
            answer=answer,
            max_retakes=(question and question.max_retakes) or (full and full.max_retakes),
            retakes=extra.get("retakes", extra.get("retake_count")),
            options=[
                OptionView(text=o.text or "", chosen=o.key in picked, correct=o.is_correct)
                for o in sorted(options_source, key=lambda o: o.order or 0)
            ],
            check_type_name=CHECK_TYPE_NAMES.get(answer_type, ""),
        )
        if kind in MEDIA_TYPES | {AnswerType.FILE}:
            if answer.is_media_deleted:
                view.media_state = "deleted"
            elif not answer.remote_link or (answer.status or "processed") != "processed":
                view.media_state = "processing"
            elif not is_web_url(answer.remote_link):
                view.media_state = "unlinkable"
        views.append(view)
    return views


def questions_of(participant: CachedParticipant) -> list[schemas.Question]:
    interview = participant.interview
    return interview.questions() if interview is not None else []


def willo_feedback_context(scope: Scope, participant: CachedParticipant) -> dict:
    """The "In Willo: comments and scores" section: the candidate's comments and scores
    from Willo's deliveries, newest first (two queries, however many)."""
    return {"willo_feedback": participant_willo_feedback(scope=scope, key=participant.key)}


def candidates_url(slug: str) -> str:
    """The team's candidate URL prefix ("/teams/<slug>/candidates/"): long tables append
    ``<key>/`` to it instead of reversing a URL per row, which dominated their render time."""
    one = reverse("dashboard:participant_detail", kwargs={"slug": slug, "participant_key": "-"})
    return one.removesuffix("-/")


def identity_context(info: schemas.IdvInfo | None) -> dict:
    """What the identity panel shows of a check (None: none could be read)."""
    session = info.session_data if info else None
    resources = session.resources if session else None
    return {
        "info": info,
        "check_type_name": CHECK_TYPE_NAMES.get(str(info.check_type or ""), "") if info else "",
        "documents": resources.id_documents + resources.supplementary_documents
        if resources
        else [],
        "liveness": resources.liveness_capture if resources else [],
        "checks": info.checks if info else [],
        "extraction": info.document_text_extraction if info else None,
        "profile": session.identity_profile if session else None,
    }
