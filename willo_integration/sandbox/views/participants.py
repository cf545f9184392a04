"""Participants: list, invite, detail, update, delete, and their identity checks."""

from __future__ import annotations

import secrets

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .. import events, scoping
from .. import serializers as s
from ..auth import Actor
from ..http import base_url, forbidden, json_response, no_content, not_found, parse_body
from ..idv import idv_info
from ..media import read_sample
from ..models import IdvSession, Interview, Participant, ParticipantStatus
from ..pagination import ordering, paginate
from ..validation import MISSING, Fields, invalid_key
from .base import endpoint

ORDERING = {"created_at": "created_at", "name": "name"}
DECISIONS = (ParticipantStatus.ACCEPTED, ParticipantStatus.REJECTED)


def _list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = scoping.participants(actor).select_related("interview__department")
    if interview := request.GET.get("interview", "").strip():
        qs = qs.filter(interview__key=interview)
    if department := request.GET.get("department", "").strip():
        qs = qs.filter(interview__department__key=department)
    if owner := request.GET.get("owner", "").strip():
        qs = qs.filter(interview__owner__key=owner)
    if search := request.GET.get("search", "").strip():
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(email__icontains=search)
            | Q(interview__title__icontains=search)
        )
    qs = qs.order_by(*ordering(request, ORDERING, ["-created_at"]))
    base = base_url(request)
    return json_response(paginate(request, qs, lambda p: s.participant_list_item(p, base)))


def _invite(request: HttpRequest, actor: Actor) -> HttpResponse:
    f = Fields(parse_body(request))
    interview_key = f.string("interview", required=True)
    email = f.email("email", required=True)
    name = f.string("name", required=True, max_length=200)
    phone = f.string("phone", allow_null=True, max_length=32)
    send_notifications = f.boolean("send_notifications")
    custom_id = f.string("custom_id", allow_null=True, max_length=100)
    interview = None
    if isinstance(interview_key, str):
        interview = Interview.objects.filter(
            organisation=actor.organisation, key=interview_key
        ).first()
        if interview is None:
            f.error("interview", invalid_key(interview_key))
    f.done()
    assert interview is not None
    if not scoping.interviews(actor).filter(pk=interview.pk).exists():
        raise forbidden()
    if interview.participants.filter(email__iexact=email).exists():
        f.error(
            "email", "A participant with this email has already been invited to this interview."
        )
        f.done()
    now = timezone.now()
    participant = Participant.objects.create(
        organisation=actor.organisation,
        interview=interview,
        email=email,
        name=name,
        phone="" if phone in (MISSING, None) else phone,
        status=ParticipantStatus.INVITED,
        send_notifications=True if send_notifications is MISSING else send_notifications,
        custom_id=None if custom_id is MISSING else custom_id,
        invite_code=secrets.token_hex(3),
        created_at=now,
        updated_at=now,
    )
    return json_response(s.participant_invited(participant), status=201)


def get_participant(actor: Actor, key: str) -> Participant:
    everything = Participant.objects.filter(organisation=actor.organisation)
    return scoping.get_scoped(
        everything.select_related("interview__department", "organisation"),
        scoping.participants(actor),
        key,
    )


def _retrieve(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    participant = get_participant(actor, key)
    return json_response(s.participant_detail(participant, base_url(request)))


def _update(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    participant = get_participant(actor, key)
    f = Fields(parse_body(request), partial=True)
    values = {
        "name": f.string("name", max_length=200, allow_blank=False),
        "phone": f.string("phone", max_length=32),
        "custom_id": f.string("custom_id", allow_null=True, max_length=100),
    }
    status = f.choice("status", DECISIONS)
    f.done()
    for field, value in values.items():
        if value is not MISSING:
            setattr(participant, field, value)
    now = timezone.now()
    changed = status is not MISSING and status != participant.status
    if changed:
        participant.status = status
        participant.status_changed_by = actor.user.email
        participant.status_changed_at = now
    participant.updated_at = now
    participant.save()
    if changed:
        events.status_changed(participant, base_url(request))
    return json_response(s.participant_updated(participant))


def _delete(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    get_participant(actor, key).delete()
    return no_content()


def _session(actor: Actor, key: str) -> IdvSession:
    participant = get_participant(actor, key)
    session = IdvSession.objects.filter(participant=participant).first()
    if session is None:
        raise not_found()
    return session


def _idv_info(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    session = _session(actor, key)
    return json_response(idv_info(session, session.participant.name))


def _idv_media(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    _session(actor, key)
    return HttpResponse(read_sample("idv_document.png"), content_type="image/png")


collection = endpoint(GET=_list, POST=_invite)
detail = endpoint(GET=_retrieve, PUT=_update, PATCH=_update, DELETE=_delete)
idv_info_view = endpoint(GET=_idv_info)
idv_media_view = endpoint(GET=_idv_media)
