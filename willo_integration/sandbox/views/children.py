"""Child organisations of a parent (agency) organisation: /children/."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .. import serializers as s
from ..auth import Actor
from ..http import forbidden, json_response, parse_body
from ..models import Department, Organisation, Role, SandboxUser, UserRelation
from ..validation import Fields
from .base import endpoint


def _require_parent(actor: Actor) -> None:
    if actor.via_agency or not actor.organisation.is_parent or not actor.is_admin:
        raise forbidden("Only an authorised parent organisation may manage child organisations.")


def _list(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_parent(actor)
    children = Organisation.objects.filter(parent=actor.organisation).order_by("id")
    return json_response([s.child_organisation(child) for child in children])


def _create(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_parent(actor)
    f = Fields(parse_body(request))
    full_name = f.string("customer_full_name", required=True, max_length=200)
    email = f.email("customer_email", required=True)
    name = f.string("organisation_name", required=True, max_length=200)
    f.done()
    now = timezone.now()
    with transaction.atomic():
        child = Organisation.objects.create(name=name, parent=actor.organisation, created_at=now)
        owner = SandboxUser.objects.create(
            organisation=child, email=email, full_name=full_name, role=Role.OWNER, created_at=now
        )
        department = Department.objects.create(
            organisation=child, name=name, owner=owner, is_default=True, created_at=now
        )
        department.members.add(owner)
        UserRelation.objects.create(organisation=child, user=owner, role=Role.ADMIN)
    return json_response(s.child_organisation(child), status=201)


collection = endpoint(GET=_list, POST=_create)
