"""A candidate (a Willo participant): contact details, answers, transcripts, scores, decision."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard.links import is_web_url, web_url
from dashboard.views.changes import live_context
from dashboard.views.limits import answers_read_limit, member_budget
from dashboard.views.scoping import (
    HtmxHttpRequest,
    candidate_for,
    scope_for,
    wants_partial,
)
from willo_integration import schemas
from willo_integration.services.participants import (
    ParticipantFilters,
    participant_decisions,
    participant_neighbours,
)

MEDIA_TYPES = {"video", "audio"}
CHOICE_TYPES = {"multiple_choice", "checkboxes"}
IDENTITY_TYPES = {"idv", "rtw", "dbs", "dbs_rtw"}
CHECK_TYPE_NAMES = {
    "idv": "Identity",
    "rtw": "Right to work",
    "dbs": "DBS",
    "dbs_rtw": "DBS with right to work",
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
    if answer_type in MEDIA_TYPES | CHOICE_TYPES | {"text", "file"}:
        return answer_type
    if answer_type in IDENTITY_TYPES:
        return "identity"
    return "other"


def answer_views(payload: schemas.Participant | None, questions) -> list[AnswerView]:
    """The candidate's answers in question order, each with what its type needs to be shown."""
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
        picked = {
            s.option
            for s in (
                answer.type_specific_data.selected_answer_options
                if answer.type_specific_data
                else []
            )
        }
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
        if kind in MEDIA_TYPES | {"file"}:
            if answer.is_media_deleted:
                view.media_state = "deleted"
            elif not answer.remote_link or (answer.status or "processed") != "processed":
                view.media_state = "processing"
            elif not is_web_url(answer.remote_link):
                view.media_state = "unlinkable"
        views.append(view)
    return views


def candidate_live_url(slug: str, key: str) -> str:
    """Where a candidate page's decision panel fetches itself when the candidate changed."""
    url = reverse("dashboard:participant_detail", kwargs={"slug": slug, "participant_key": key})
    return url + "?part=live"


def decision_panel_context(scope, participant) -> dict:
    """What the decision panel shows: the latest decision's state, and every decision."""
    history = participant_decisions(scope=scope, participant_key=participant.key)
    return {
        "decision": history[0] if history else None,
        "history": history,
        "live_url": candidate_live_url(scope.team.slug, participant.key),
    }


def _questions_of(participant) -> list[schemas.Question]:
    interview = participant.interview
    return interview.questions() if interview is not None else []


@require_GET
@login_required
@vary_on_headers("HX-Request")
@answers_read_limit
def participant_detail(request: HtmxHttpRequest, slug: str, participant_key: str) -> HttpResponse:
    """The candidate page; with ``?answer=<key>`` (HTMX) just that answer, its media link
    fetched again from Willo when ``refetch=1`` (the player could not play the old one)."""
    membership, scope = scope_for(request, slug)
    answer_key = request.GET.get("answer", "")
    if answer_key and wants_partial(request):
        refetch = request.GET.get("refetch") == "1"
        participant, freshness = candidate_for(
            scope, participant_key, refresh=refetch, budget=member_budget(request)
        )
        views = answer_views(participant.participant(), _questions_of(participant))
        view = next((v for v in views if v.key == answer_key), None)
        if view is None:
            raise Http404("No such answer.")
        return render(
            request,
            "dashboard/participants/detail.html#answer",
            {
                "team": scope.team,
                "participant": participant,
                "item": view,
                "refetched": refetch,
                "freshness": freshness,
            },
        )
    if request.GET.get("part") == "live" and wants_partial(request):
        participant, _freshness = candidate_for(scope, participant_key)
        return render(
            request,
            "dashboard/participants/_live.html",
            {
                "membership": membership,
                "team": scope.team,
                "participant": participant,
                "payload": participant.participant(),
                "can_decide": membership.has_role("recruiter"),
                **decision_panel_context(scope, participant),
            },
        )
    participant, freshness = candidate_for(scope, participant_key)
    filters, _errors = ParticipantFilters.from_query(request.GET)
    previous_key, next_key = participant_neighbours(
        scope=scope, participant=participant, filters=filters
    )
    query = filters.as_query()
    suffix = f"?{query}" if query else ""

    def candidate_url(key: str | None) -> str:
        if key is None:
            return ""
        url = reverse(
            "dashboard:participant_detail",
            kwargs={"slug": scope.team.slug, "participant_key": key},
        )
        return url + suffix

    payload = participant.participant()
    interview = participant.interview
    context = {
        "membership": membership,
        "team": scope.team,
        "participant": participant,
        "payload": payload,
        "interview": interview,
        "answers": answer_views(payload, _questions_of(participant)),
        "freshness": freshness,
        "can_decide": membership.has_role("recruiter"),
        "previous_url": candidate_url(previous_key),
        "next_url": candidate_url(next_key),
        "filter_query": query,
        "job_url": (
            reverse(
                "dashboard:interview_detail",
                kwargs={"slug": scope.team.slug, "interview_key": interview.key},
            )
            + suffix
            if interview is not None
            else ""
        ),
        "availability": payload.availability if payload else [],
        **decision_panel_context(scope, participant),
        **live_context(scope, participant.key),
    }
    return render(request, "dashboard/participants/detail.html", context)
