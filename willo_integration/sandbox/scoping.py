"""What an actor may see: admins see their whole organisation, standard users their departments."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from .auth import Actor
from .http import forbidden, not_found
from .models import Department, Interview, Participant

M = TypeVar("M", bound=Model)


def departments(actor: Actor) -> QuerySet[Department]:
    qs = Department.objects.filter(organisation=actor.organisation)
    if actor.is_admin:
        return qs
    return qs.filter(Q(is_global=True) | Q(owner=actor.user) | Q(members=actor.user)).distinct()


def interviews(actor: Actor) -> QuerySet[Interview]:
    qs = Interview.objects.filter(organisation=actor.organisation)
    if actor.is_admin:
        return qs
    visible_departments = departments(actor).values("id")
    return qs.filter(
        Q(department__in=visible_departments) | Q(owner=actor.user) | Q(reviewers=actor.user)
    ).distinct()


def participants(actor: Actor) -> QuerySet[Participant]:
    qs = Participant.objects.filter(organisation=actor.organisation)
    if actor.is_admin:
        return qs
    return qs.filter(interview__in=interviews(actor).values("id"))


def get_scoped(everything: QuerySet[M], visible: QuerySet[M], key: str) -> M:
    """404 when the key is not in the organisation, 403 when it is but out of reach."""
    obj = everything.filter(key=key).first()
    if obj is None:
        raise not_found()
    if not visible.filter(pk=obj.pk).exists():
        raise forbidden()
    return obj
