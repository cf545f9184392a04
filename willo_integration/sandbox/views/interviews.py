"""Interviews: /interviews/ and /interviews/{key}/."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .. import scoping
from .. import serializers as s
from ..auth import Actor
from ..http import ValidationFailed, forbidden, json_response, no_content, parse_body
from ..models import (
    CHOICE_ANSWER_TYPES,
    IDV_ANSWER_TYPES,
    LANGUAGE_CODES,
    MESSAGE_TEMPLATE_SLOTS,
    Answer,
    AnswerOption,
    AnswerType,
    IdvCountry,
    Interview,
    MessageTemplate,
    Question,
    SandboxUser,
)
from ..pagination import ordering, paginate
from ..validation import MISSING, REQUIRED, Fields, invalid_key
from .base import endpoint

ORDERING = {"title": "title", "created_at": "created_at"}
LOCKED_QUESTIONS = (
    "It is not possible to add or remove questions, or to change question types, "
    "once the interview has received responses."
)


def detail_queryset(qs: QuerySet[Interview]) -> QuerySet[Interview]:
    return qs.select_related(
        "owner", "organisation", "department", *MESSAGE_TEMPLATE_SLOTS
    ).prefetch_related("reviewers", "reviewers_to_notify", "questions__options")


def _list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = scoping.interviews(actor).select_related("owner", "organisation", "department")
    if department := request.GET.get("department", "").strip():
        qs = qs.filter(department__key=department)
    if owner := request.GET.get("owner", "").strip():
        qs = qs.filter(owner__key=owner)
    if search := request.GET.get("search", "").strip():
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(owner__email__icontains=search)
            | Q(department__name__icontains=search)
        )
    qs = qs.order_by(*ordering(request, ORDERING, ["title"]))
    return json_response(paginate(request, qs, s.interview_list_item))


def _users(f: Fields, actor: Actor, name: str) -> Any:
    keys = f.key_list(name)
    if keys is MISSING:
        return MISSING
    users = list(SandboxUser.objects.filter(organisation=actor.organisation, key__in=keys))
    missing = set(keys) - {u.key for u in users}
    for key in sorted(missing):
        f.error(name, invalid_key(key))
    return users


def _message_templates(f: Fields, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    if "message_templates" not in data:
        if not f.partial:
            f.error("message_templates", REQUIRED)
        return {}
    raw = data["message_templates"]
    if not isinstance(raw, dict):
        f.error("message_templates", "Expected a dictionary of items.")
        return {}
    errors: dict[str, list[str]] = {}
    chosen: dict[str, Any] = {}
    visible = MessageTemplate.objects.filter(
        Q(organisation=actor.organisation) | Q(organisation__isnull=True)
    )
    for slot in MESSAGE_TEMPLATE_SLOTS:
        if slot not in raw:
            if not f.partial:
                errors[slot] = [REQUIRED]
            continue
        key = raw[slot]
        if key in (None, ""):
            chosen[slot] = None
            continue
        template = visible.filter(key=key).first() if isinstance(key, str) else None
        if template is None:
            errors[slot] = [invalid_key(str(key))]
        else:
            chosen[slot] = template
    if errors:
        f.error("message_templates", errors)
    return chosen


def _questions(f: Fields, data: dict[str, Any]) -> Any:
    """Validated question dicts, or MISSING; errors nested per item as DRF does."""
    if "questions" not in data:
        if not f.partial:
            f.error("questions", REQUIRED)
        return MISSING
    raw = data["questions"]
    if not isinstance(raw, list):
        f.error("questions", f'Expected a list of items but got type "{type(raw).__name__}".')
        return MISSING
    if not raw:
        f.error("questions", "This list may not be empty.")
        return MISSING
    countries = set(IdvCountry.objects.values_list("iso_3", flat=True))
    cleaned, item_errors = [], []
    for item in raw:
        if not isinstance(item, dict):
            item_errors.append({"non_field_errors": ["Invalid data. Expected a dictionary."]})
            continue
        q = Fields(item)
        answer_type = q.choice("answer_type", AnswerType.values, required=True)
        value: dict[str, Any] = {
            "key": item.get("key"),
            "text": q.string("text", required=True),
            "order": q.integer("order", required=True, allow_null=False),
            "answer_type": answer_type,
            "max_duration": q.integer("max_duration"),
            "max_retakes": q.integer("max_retakes"),
            "max_characters": q.integer("max_characters"),
            "max_words": q.integer("max_words"),
            "thinking_time": q.integer("thinking_time"),
            "idv_max_checks": q.integer("max_checks"),
            "is_skip_allowed": q.boolean("is_skip_allowed"),
            "options": [],
        }
        location = q.string("location_of_employment", allow_null=True)
        if answer_type in IDV_ANSWER_TYPES:
            if location in (MISSING, None, ""):
                q.error("location_of_employment", REQUIRED)
            elif location.upper() not in countries:
                q.error("location_of_employment", f'"{location}" is not a valid choice.')
            else:
                value["idv_country_of_employment_iso_code"] = location.upper()
        value = {name: None if v is MISSING else v for name, v in value.items()}
        value["options"] = _options(q, item, answer_type)
        item_errors.append(q.errors)
        cleaned.append(value)
    if any(item_errors):
        f.error("questions", item_errors)  # type: ignore[arg-type]
        return MISSING
    return cleaned


def _options(q: Fields, item: dict[str, Any], answer_type: Any) -> list[dict[str, Any]]:
    specific = item.get("type_specific_data") or {}
    if not isinstance(specific, dict):
        q.error("type_specific_data", "Expected a dictionary of items.")
        return []
    raw = specific.get("answer_options")
    if raw is None:
        if answer_type in CHOICE_ANSWER_TYPES:
            q.error("type_specific_data", {"answer_options": [REQUIRED]})
        return []
    if not isinstance(raw, list) or (answer_type in CHOICE_ANSWER_TYPES and not raw):
        q.error("type_specific_data", {"answer_options": ["This list may not be empty."]})
        return []
    options, errors = [], []
    for option in raw:
        o = Fields(option if isinstance(option, dict) else {})
        text = o.string("text", required=True, max_length=256)
        order = o.integer("order", required=True, allow_null=False)
        is_correct = option.get("is_correct") if isinstance(option, dict) else None
        if is_correct is not None and not isinstance(is_correct, bool):
            o.error("is_correct", "Must be a valid boolean.")
        errors.append(o.errors)
        key = option.get("key") if isinstance(option, dict) else None
        options.append({"key": key, "text": text, "order": order, "is_correct": is_correct})
    if any(errors):
        q.error("type_specific_data", {"answer_options": errors})
    return options


def _settings(f: Fields, data: dict[str, Any]) -> dict[str, Any]:
    raw = data.get("settings")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        f.error("settings", "Expected a dictionary of items.")
        return {}
    sf = Fields(raw)
    values = {
        "show_hints_and_tips": sf.boolean("show_hints_and_tips"),
        "show_availability_calendar": sf.boolean("show_availability_calendar"),
        "redirect_url": sf.string("redirect_url", allow_null=True),
        "deadline": sf.datetime("deadline"),
    }
    if sf.errors:
        f.error("settings", sf.errors)
    return {k: v for k, v in values.items() if v is not MISSING}


def _save_questions(interview: Interview, questions: list[dict[str, Any]]) -> None:
    existing = {q.key: q for q in interview.questions.prefetch_related("options")}
    has_answers = Answer.objects.filter(participant__interview=interview).exists()
    if has_answers:
        keys = [q["key"] for q in questions]
        same_set = sorted(k for k in keys if k) == sorted(existing) and all(keys)
        types_kept = same_set and all(
            existing[q["key"]].answer_type == q["answer_type"] for q in questions
        )
        if not types_kept:
            raise ValidationFailed({"questions": [LOCKED_QUESTIONS]})
    kept: set[str] = set()
    for item in questions:
        question = existing.get(item["key"] or "") or Question(interview=interview)
        for name in (
            "text", "order", "answer_type", "max_duration", "max_retakes", "max_characters",
            "max_words", "thinking_time", "idv_max_checks",
        ):  # fmt: skip
            setattr(question, name, item[name])
        question.is_skip_allowed = bool(item["is_skip_allowed"] or False)
        question.idv_country_of_employment_iso_code = item.get("idv_country_of_employment_iso_code")
        question.save()
        kept.add(question.key)
        _save_options(question, item["options"])
    interview.questions.exclude(key__in=kept).delete()


def _save_options(question: Question, options: list[dict[str, Any]]) -> None:
    existing = {o.key: o for o in question.options.all()}
    kept: set[str] = set()
    for item in options:
        option = existing.get(item["key"] or "") or AnswerOption(question=question)
        option.text, option.order, option.is_correct = (
            item["text"],
            item["order"],
            item["is_correct"],
        )
        option.save()
        kept.add(option.key)
    question.options.exclude(key__in=kept).delete()


def _apply(request: HttpRequest, actor: Actor, interview: Interview, *, partial: bool) -> None:
    data = parse_body(request)
    f = Fields(data, partial=partial)
    values = {
        "title": f.string("title", required=True, max_length=200),
        "default_language": f.choice("default_language", LANGUAGE_CODES, allow_null=True),
        "salary": f.string("salary", max_length=100),
        "description": f.string("description"),
        "intro_video": f.string("intro_video", allow_null=True),
    }
    department_key = f.string("department", required=True)
    if isinstance(department_key, str):
        department = scoping.departments(actor).filter(key=department_key).first()
        if department is None:
            f.error("department", invalid_key(department_key))
        values["department"] = department
    reviewers = _users(f, actor, "reviewers")
    to_notify = _users(f, actor, "reviewers_to_notify")
    templates = _message_templates(f, actor, data)
    questions = _questions(f, data)
    settings = _settings(f, data)
    f.done()
    with transaction.atomic():
        for name, value in {**values, **templates, **settings}.items():
            if value is not MISSING:
                setattr(interview, name, "" if value is None and name == "intro_video" else value)
        interview.save()
        if reviewers is not MISSING:
            interview.reviewers.set(reviewers)
        if to_notify is not MISSING:
            interview.reviewers_to_notify.set(to_notify)
        if questions is not MISSING:
            _save_questions(interview, questions)


def _create(request: HttpRequest, actor: Actor) -> HttpResponse:
    interview = Interview(
        organisation=actor.organisation,
        owner=actor.user,
        invite_code=secrets.token_hex(3),
        created_at=timezone.now(),
    )
    _apply(request, actor, interview, partial=False)
    fresh = detail_queryset(Interview.objects.filter(pk=interview.pk)).get()
    return json_response(s.interview_detail(fresh, detail_names=False), status=201)


def get_interview(actor: Actor, key: str, *, write: bool = False) -> Interview:
    everything = Interview.objects.filter(organisation=actor.organisation)
    interview = scoping.get_scoped(everything, scoping.interviews(actor), key)
    if write and not actor.is_admin:
        in_department = interview.department.members.filter(pk=actor.user.pk).exists()
        if interview.owner_id != actor.user.pk and not in_department:
            raise forbidden()
    return interview


def _retrieve(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    interview = detail_queryset(Interview.objects.filter(pk=get_interview(actor, key).pk)).get()
    return json_response(s.interview_detail(interview, detail_names=True))


def _update(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    interview = get_interview(actor, key, write=True)
    _apply(request, actor, interview, partial=request.method == "PATCH")
    fresh = detail_queryset(Interview.objects.filter(pk=interview.pk)).get()
    return json_response(s.interview_detail(fresh, detail_names=False))


def _delete(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    get_interview(actor, key, write=True).delete()
    return no_content()


collection = endpoint(GET=_list, POST=_create)
detail = endpoint(GET=_retrieve, PUT=_update, PATCH=_update, DELETE=_delete)
