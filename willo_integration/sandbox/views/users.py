"""Users of the organisation: /users/ and /users/{key}/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .. import serializers as s
from ..auth import Actor
from ..http import forbidden, json_response, no_content, not_found, parse_body
from ..models import Role, SandboxUser
from ..pagination import ordering, paginate
from ..validation import Fields
from .base import endpoint

ASSIGNABLE_ROLES = (Role.ADMIN, Role.STANDARD)


def _list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = SandboxUser.objects.filter(organisation=actor.organisation)
    qs = qs.order_by(*ordering(request, {"full_name": "full_name"}, ["full_name"]))
    return json_response(paginate(request, qs, s.user_list_item))


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise forbidden()


def _invite(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_admin(actor)
    f = Fields(parse_body(request))
    email = f.email("email", required=True)
    role = f.choice("role", ASSIGNABLE_ROLES, required=True)
    f.done()
    if SandboxUser.objects.filter(organisation=actor.organisation, email__iexact=email).exists():
        f.error("email", "A user with this email already belongs to the organisation.")
        f.done()
    local = email.split("@")[0].replace("_", ".").replace("-", ".")
    user = SandboxUser.objects.create(
        organisation=actor.organisation,
        email=email,
        full_name=" ".join(part.capitalize() for part in local.split(".") if part),
        role=role,
        status="invited",
        created_at=timezone.now(),
    )
    return json_response(s.user_detail(user), status=201)


def _get(actor: Actor, key: str) -> SandboxUser:
    user = SandboxUser.objects.filter(organisation=actor.organisation, key=key).first()
    if user is None:
        raise not_found()
    return user


def _retrieve(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    return json_response(s.user_detail(_get(actor, key)))


def _update(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    _require_admin(actor)
    user = _get(actor, key)
    f = Fields(parse_body(request))
    role = f.choice("role", ASSIGNABLE_ROLES, required=True)
    f.done()
    if user.role == Role.OWNER:
        raise forbidden("The owner's role cannot be changed.")
    user.role = role
    user.save(update_fields=["role"])
    return json_response(s.user_detail(user))


def _delete(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    _require_admin(actor)
    user = _get(actor, key)
    if user.role == Role.OWNER:
        raise forbidden("The organisation owner cannot be deleted.")
    user.delete()
    return no_content()


collection = endpoint(GET=_list, POST=_invite)
detail = endpoint(GET=_retrieve, PATCH=_update, DELETE=_delete)
