"""Webhook registrations: /webhooks/ and /webhooks/{key}/."""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .. import serializers as s
from ..auth import Actor
from ..http import json_response, no_content, not_found, parse_body
from ..models import Department, Interview, SandboxUser, Webhook, WebhookEvent
from ..pagination import bool_param, ordering, paginate
from ..validation import MISSING, Fields, invalid_key
from .base import endpoint

# The collection's own examples send "stage_change" (the glossary's "Stage Change")
# and Willo answers "status_change": accept the alias, store the canonical name.
EVENT_ALIASES = {"stage_change": WebhookEvent.STATUS_CHANGE}
PAYLOAD_EVENTS = (WebhookEvent.NEW_RESPONSE, WebhookEvent.STATUS_CHANGE)


def _event_choices() -> list[str]:
    return [*WebhookEvent.values, *EVENT_ALIASES]


def _list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = Webhook.objects.filter(organisation=actor.organisation).prefetch_related(
        "interviews", "departments", "users"
    )
    follow_all = bool_param(request, "follow_all_interviews")
    if follow_all is not None:
        qs = qs.filter(follow_all_interviews=follow_all)
    if event := request.GET.get("event", "").strip():
        qs = qs.filter(event=EVENT_ALIASES.get(event, event))
    if interview := request.GET.get("interview", "").strip():
        qs = qs.filter(interviews__key=interview)
    qs = qs.order_by(*ordering(request, {"created_at": "created_at"}, ["created_at"]))
    return json_response(paginate(request, qs, lambda h: s.webhook(h, with_token=False)))


def _related(f: Fields, name: str, model: type, actor: Actor) -> Any:
    keys = f.key_list(name)
    if keys is MISSING:
        return MISSING
    found = list(model.objects.filter(organisation=actor.organisation, key__in=keys))
    for key in sorted(set(keys) - {o.key for o in found}):
        f.error(name, invalid_key(key))
    return found


def _apply(request: HttpRequest, actor: Actor, hook: Webhook, *, partial: bool) -> None:
    data = parse_body(request)
    f = Fields(data, partial=partial)
    url = f.url("url", required=True)
    event = f.choice("event", _event_choices(), required=True)
    token = f.string("token", allow_null=True, max_length=128)
    follow_all = f.boolean("follow_all_interviews")
    interviews = _related(f, "interviews", Interview, actor)
    departments = _related(f, "departments", Department, actor)
    users = _related(f, "users", SandboxUser, actor)
    config = data.get("payload_configuration")
    flags: dict[str, Any] = {}
    if config is not None:
        if not isinstance(config, dict):
            f.error("payload_configuration", "Expected a dictionary of items.")
        else:
            cf = Fields(config)
            flags = {
                "return_transcripts": cf.boolean("return_transcripts"),
                "return_summary": cf.boolean("return_summary"),
            }
            if cf.errors:
                f.error("payload_configuration", cf.errors)
    f.done()
    if event is not MISSING:
        hook.event = EVENT_ALIASES.get(event, event)
    for name, value in {"url": url, "follow_all_interviews": follow_all, "token": token}.items():
        if value is not MISSING:
            setattr(hook, name, value)
    for name, value in flags.items():
        if value is not MISSING:
            setattr(hook, name, value)
    if (hook.return_transcripts or hook.return_summary) and hook.event not in PAYLOAD_EVENTS:
        f.error(
            "payload_configuration",
            "Transcripts and summary can be enabled only for new_response and status_change.",
        )
    chosen = [v for v in (interviews, departments, users) if v is not MISSING]
    if (
        not hook.follow_all_interviews
        and not any(chosen)
        and (
            not partial or hook.pk is None or not _has_targets(hook, interviews, departments, users)
        )
    ):
        f.error(
            "interviews",
            "Give at least one interview, department or user unless follow_all_interviews is true.",
        )
    f.done()
    if not hook.token:
        hook.token = secrets.token_urlsafe(24)
    hook.save()
    for relation, value in (("interviews", interviews), ("departments", departments),
                            ("users", users)):  # fmt: skip
        if value is not MISSING:
            getattr(hook, relation).set(value)


def _has_targets(hook: Webhook, *given: Any) -> bool:
    names = ("interviews", "departments", "users")
    return any(
        getattr(hook, name).exists()
        for name, value in zip(names, given, strict=True)
        if value is MISSING
    )


def _create(request: HttpRequest, actor: Actor) -> HttpResponse:
    hook = Webhook(
        organisation=actor.organisation, created_by=actor.user, created_at=timezone.now()
    )
    _apply(request, actor, hook, partial=False)
    return json_response(s.webhook(hook), status=201)


def _get(actor: Actor, key: str) -> Webhook:
    hook = Webhook.objects.filter(organisation=actor.organisation, key=key).first()
    if hook is None:
        raise not_found()
    return hook


def _update(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    hook = _get(actor, key)
    _apply(request, actor, hook, partial=request.method == "PATCH")
    return json_response(s.webhook(hook))


def _delete(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    _get(actor, key).delete()
    return no_content()


collection = endpoint(GET=_list, POST=_create)
detail = endpoint(PUT=_update, PATCH=_update, DELETE=_delete)
