"""Interview templates: list, detail, and creating an interview from one."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .. import scoping
from .. import serializers as s
from ..auth import Actor
from ..http import ValidationFailed, json_response, not_found, parse_body
from ..models import AnswerOption, Interview, InterviewTemplate, Question
from ..pagination import paginate
from ..validation import MISSING, Fields, invalid_key
from .base import endpoint
from .interviews import detail_queryset


def _list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = InterviewTemplate.objects.select_related("category")
    if search := request.GET.get("search", "").strip():
        qs = qs.filter(title__icontains=search)
    if category := request.GET.get("category", "").strip():
        qs = qs.filter(category__key=category)
    qs = qs.order_by("-is_featured", "title", "id")
    return json_response(paginate(request, qs, s.interview_template_list_item))


def _get(key: str) -> InterviewTemplate:
    template = (
        InterviewTemplate.objects.select_related("category")
        .prefetch_related("questions__options")
        .filter(key=key)
        .first()
    )
    if template is None:
        raise not_found()
    return template


def _retrieve(request: HttpRequest, actor: Actor, template_key: str) -> HttpResponse:
    return json_response(s.interview_template_detail(_get(template_key)))


def _create_interview(request: HttpRequest, actor: Actor, template_key: str) -> HttpResponse:
    template = _get(template_key)
    f = Fields(parse_body(request))
    title = f.string("title", max_length=200)
    department_key = f.string("department")
    departments = scoping.departments(actor).order_by("-is_default", "id")
    department = departments.first()
    if isinstance(department_key, str):
        department = departments.filter(key=department_key).first()
        if department is None:
            f.error("department", invalid_key(department_key))
    f.done()
    if department is None:
        raise ValidationFailed({"department": ["The organisation has no department yet."]})
    with transaction.atomic():
        interview = Interview.objects.create(
            organisation=actor.organisation,
            department=department,
            owner=actor.user,
            title=template.title if title is MISSING else title,
            description=f"<p>{template.template_description}</p>",
            invite_code=secrets.token_hex(3),
            status="draft",
            created_at=timezone.now(),
        )
        for source in template.questions.all():
            question = Question.objects.create(
                interview=interview,
                **{
                    name: getattr(source, name)
                    for name in (
                        "text", "order", "max_duration", "max_retakes", "answer_type",
                        "thinking_time", "max_characters", "max_words", "is_skip_allowed",
                        "idv_country_of_employment_iso_code", "idv_max_checks",
                    )
                },
            )  # fmt: skip
            AnswerOption.objects.bulk_create(
                AnswerOption(question=question, text=o.text, order=o.order, is_correct=o.is_correct)
                for o in source.options.all()
            )
    fresh = detail_queryset(Interview.objects.filter(pk=interview.pk)).get()
    # Willo answers 200 here, with its internal interview shape.
    return json_response(s.interview_from_template(fresh), status=200)


collection = endpoint(GET=_list)
detail = endpoint(GET=_retrieve)
interviews = endpoint(POST=_create_interview)
