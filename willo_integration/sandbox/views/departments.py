"""Departments: /departments/ and /departments/{key}/."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .. import scoping
from .. import serializers as s
from ..auth import Actor
from ..http import base_url, forbidden, json_response, no_content, parse_body
from ..models import Department, Industry
from ..pagination import ordering, paginate
from ..validation import MISSING, Fields, invalid_key
from .base import endpoint

ORDERING = {"name": "name", "created_at": "created_at"}


def _list(request: HttpRequest, actor: Actor) -> HttpResponse:
    qs = scoping.departments(actor).select_related("owner")
    if search := request.GET.get("search", "").strip():
        qs = qs.filter(Q(name__icontains=search) | Q(owner__email__icontains=search))
    if owner := request.GET.get("owner", "").strip():
        qs = qs.filter(owner__key=owner)
    qs = qs.order_by(*ordering(request, ORDERING, ["name"]))
    return json_response(paginate(request, qs, s.department_list_item))


def _apply(request: HttpRequest, department: Department, *, partial: bool) -> None:
    data = parse_body(request)
    f = Fields(data, partial=partial)
    values = {
        "name": f.string("name", required=True, max_length=200),
        "location": f.string("location", max_length=200),
        "website": f.string("website", max_length=300),
        "primary_colour": f.string("primary_colour", max_length=16),
        "secondary_colour": f.string("secondary_colour", max_length=16),
        "is_default": f.boolean("is_default"),
        "is_global": f.boolean("is_global"),
    }
    industry = f.string("industry", allow_null=True)
    if isinstance(industry, str) and industry:
        found = Industry.objects.filter(key=industry).first()
        if found is None:
            f.error("industry", invalid_key(industry))
        values["industry"] = found
    elif industry is None or industry == "":
        values["industry"] = None
    f.done()
    for name, value in values.items():
        if value is not MISSING:
            setattr(department, name, value)
    if hasattr(data.get("logo"), "read"):
        department.logo = f"{base_url(request)}/media/logos/{department.key}.png"
    department.save()
    if department.is_default:
        Department.objects.filter(organisation=department.organisation).exclude(
            pk=department.pk
        ).update(is_default=False)


def _create(request: HttpRequest, actor: Actor) -> HttpResponse:
    department = Department(
        organisation=actor.organisation, owner=actor.user, created_at=timezone.now()
    )
    _apply(request, department, partial=False)
    department.members.add(actor.user)
    # Willo answers this create with 200, not 201 (see the collection's example).
    return json_response(s.department_detail(department), status=200)


def _get(actor: Actor, key: str, *, write: bool = False) -> Department:
    everything = Department.objects.filter(organisation=actor.organisation)
    department = scoping.get_scoped(everything, scoping.departments(actor), key)
    if write and not actor.is_admin:
        is_member = department.members.filter(pk=actor.user.pk).exists()
        if department.owner_id != actor.user.pk and not is_member:
            raise forbidden()
    return department


def _retrieve(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    return json_response(s.department_detail(_get(actor, key)))


def _update(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    department = _get(actor, key, write=True)
    _apply(request, department, partial=request.method == "PATCH")
    return json_response(s.department_detail(department))


def _delete(request: HttpRequest, actor: Actor, key: str) -> HttpResponse:
    _get(actor, key, write=True).delete()
    return no_content()


collection = endpoint(GET=_list, POST=_create)
detail = endpoint(GET=_retrieve, PUT=_update, PATCH=_update, DELETE=_delete)
