"""Message templates: /message-templates/ and /message-templates/{key}/."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .. import serializers as s
from ..auth import Actor
from ..http import forbidden, json_response, no_content, not_found, parse_body
from ..models import MessageTemplate
from ..pagination import bool_param, choice_param, ordering, paginate
from ..validation import MISSING, Fields
from .base import endpoint

ORDERING = {"created_at": "created_at", "title": "title"}
TYPES = ("email", "sms")
TRIGGERS = ("invite", "reminder", "success_email")


def _visible(actor: Actor) -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.filter(
        Q(organisation=actor.organisation) | Q(organisation__isnull=True)
    )


def _list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = _visible(actor)
    if search := request.GET.get("search", "").strip():
        qs = qs.filter(title__icontains=search)
    # The collection documents the filter value as "emails" while objects say "email".
    kind = choice_param(request, "type", ("emails", "email", "sms"))
    if kind:
        qs = qs.filter(type="email" if kind == "emails" else kind)
    if trigger := choice_param(request, "trigger", TRIGGERS):
        qs = qs.filter(trigger=trigger)
    system_default = bool_param(request, "system_default")
    if system_default is not None:
        qs = qs.filter(system_default=system_default)
    qs = qs.order_by(*ordering(request, ORDERING, ["-created_at"]))
    return json_response(paginate(request, qs, s.message_template_list_item))


def _apply(request: HttpRequest, template: MessageTemplate, *, partial: bool) -> None:
    f = Fields(parse_body(request), partial=partial)
    values = {
        "title": f.string("title", required=True, max_length=200),
        "type": f.choice("type", TYPES, required=True),
        "trigger": f.choice("trigger", TRIGGERS, required=True),
        "content": f.string("content", required=True),
    }
    f.done()
    for name, value in values.items():
        if value is not MISSING:
            setattr(template, name, value)
    template.save()


def _create(request: HttpRequest, actor: Actor) -> HttpResponse:
    template = MessageTemplate(organisation=actor.organisation, created_at=timezone.now())
    _apply(request, template, partial=False)
    return json_response(s.message_template_detail(template), status=201)


def _get(actor: Actor, key: str, *, write: bool = False) -> MessageTemplate:
    template = _visible(actor).filter(key=key).first()
    if template is None:
        raise not_found()
    if write and template.system_default:
        raise forbidden("Willo's system default templates cannot be changed.")
    return template


def _retrieve(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    return json_response(s.message_template_detail(_get(actor, key)))


def _update(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    template = _get(actor, key, write=True)
    _apply(request, template, partial=request.method == "PATCH")
    return json_response(s.message_template_detail(template))


def _delete(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    _get(actor, key, write=True).delete()
    return no_content()


collection = endpoint(GET=_list, POST=_create)
detail = endpoint(GET=_retrieve, PUT=_update, PATCH=_update, DELETE=_delete)
