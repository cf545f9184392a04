"""Who is calling: the API key's user, or the user an agency key stands for in a child."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from .http import ApiError, forbidden
from .models import ApiKey, Organisation, Role, SandboxUser, UserRelation

AGENCY_HEADER = "HTTP_X_AGENCY_USER_KEY"
_SCHEMES = ("token ", "bearer ", "api-key ")


@dataclass(frozen=True)
class Actor:
    key_user: SandboxUser
    organisation: Organisation
    user: SandboxUser
    role: str
    via_agency: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)


def raw_api_key(request: HttpRequest) -> str:
    """The key from ``Authorization: <key>`` (a ``Token``/``Bearer`` prefix is tolerated)."""
    value = request.META.get("HTTP_AUTHORIZATION", "").strip()
    lowered = value.lower()
    for scheme in _SCHEMES:
        if lowered.startswith(scheme):
            return value[len(scheme) :].strip()
    return value


def authenticate(request: HttpRequest) -> Actor:
    key = raw_api_key(request)
    if not key:
        raise ApiError(401, {"detail": "Authentication credentials were not provided."})
    api_key = ApiKey.objects.select_related("user__organisation").filter(key=key).first()
    if api_key is None:
        raise ApiError(401, {"detail": "Invalid token."})
    user = api_key.user
    agency_key = request.META.get(AGENCY_HEADER, "").strip()
    if not agency_key:
        return Actor(key_user=user, organisation=user.organisation, user=user, role=user.role)
    relation = (
        UserRelation.objects.select_related("organisation", "user").filter(key=agency_key).first()
    )
    if relation is None or relation.organisation.parent_id != user.organisation_id:
        raise forbidden("The agency user key does not belong to a child of your organisation.")
    if not user.organisation.is_parent or user.role not in (Role.OWNER, Role.ADMIN):
        raise forbidden()
    return Actor(
        key_user=user,
        organisation=relation.organisation,
        user=relation.user,
        role=relation.role,
        via_agency=True,
    )
