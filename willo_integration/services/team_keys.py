"""Services for a team's Willo API key: set or rotate it, and verify it against Willo."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from dashboard.crypto import KeyDecryptionError
from dashboard.models import KeyAuditEntry, MissingAPIKeyError, Team
from willo_integration.client import (
    MAX_PAGE_SIZE,
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    InsecureBaseURLError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    UnsafeHostError,
    WilloError,
)
from willo_integration.services.agency import children_store
from willo_integration.services.clients import client_for_team

logger = logging.getLogger(__name__)

REJECTED_MESSAGE = "Willo refused this key (401): it is wrong, revoked or for another environment."
UNREACHABLE_MESSAGE = "Could not reach Willo; check the environment or base URL."
FORBIDDEN_MESSAGE = (
    "Willo accepted this key but refused to list the organisation's users (403): "
    "the key's Willo user lacks permission. Use the key of an organisation owner or admin."
)
USER_NOT_IDENTIFIED = (
    "Key accepted; Willo user not identified — enter the key owner's email "
    "(Willo user email) and verify again."
)


@dataclass(frozen=True)
class KeyVerification:
    ok: bool
    message: str


@sensitive_variables()
@transaction.atomic
def team_key_set(
    *,
    team: Team,
    api_key: str,
    actor,
    ip_address: str | None,
    action: str = KeyAuditEntry.Action.SET,
    detail: str = "",
) -> Team:
    """Store a new key for ``team`` (encrypted), forget its old verification, audit it."""
    if not api_key or not api_key.strip():
        raise ValueError("The API key is empty.")
    team.set_api_key(api_key)
    team.save()
    KeyAuditEntry.record(
        team=team, action=action, actor=actor, ip_address=ip_address, detail=detail
    )
    return team


def team_key_verify(
    *,
    team: Team,
    actor,
    ip_address: str | None,
    http_client: httpx.Client | None = None,
) -> KeyVerification:
    """Ask Willo whether the key works, whose it is and whether the organisation is a parent.

    Willo has no "who am I" endpoint: the key is accepted when GET /users/ answers,
    and its user is the one whose email the admin entered (or the only user).
    """
    try:
        result = _call_willo(team, http_client=http_client)
    except (WilloError, KeyDecryptionError, MissingAPIKeyError) as exc:
        return _record_failure(team, exc, actor=actor, ip_address=ip_address)
    return _record_success(team, result, actor=actor, ip_address=ip_address)


@dataclass(frozen=True)
class KeyRotation:
    saved: bool
    message: str
    verification: KeyVerification | None = None


@sensitive_variables()
def team_key_rotate(
    *,
    team: Team,
    api_key: str,
    actor,
    ip_address: str | None,
    verify: bool,
    keep_unverified: bool = False,
    http_client: httpx.Client | None = None,
) -> KeyRotation:
    """Replace the team's key; with ``verify``, Willo is asked with the NEW key first and a
    key it refuses is not saved (the old key stays) unless ``keep_unverified``."""
    if not api_key or not api_key.strip():
        raise ValueError("The API key is empty.")
    result, refusal, failure = None, None, ""
    if verify:
        try:
            result = _call_willo(team, http_client=http_client, api_key=api_key.strip())
        except WilloError as exc:
            refusal, failure = exc, _failure_message(exc, team=team)
            logger.warning("new key for team %s not accepted: %s", team.slug, type(exc).__name__)
            if not keep_unverified:
                KeyAuditEntry.record(
                    team=team,
                    action=KeyAuditEntry.Action.VERIFY_FAILED,
                    actor=actor,
                    ip_address=ip_address,
                    detail=f"New key not saved: {failure}",
                )
                return KeyRotation(
                    saved=False,
                    message=f"The new key was not saved and the old key stays: {failure}",
                )
    team_key_set(
        team=team,
        api_key=api_key,
        actor=actor,
        ip_address=ip_address,
        action=KeyAuditEntry.Action.ROTATED,
        detail=f"Saved unverified: {failure}" if refusal else "",
    )
    if not verify:
        return KeyRotation(saved=True, message=_replaced(team))
    if refusal is not None:
        verification = _record_failure(team, refusal, actor=actor, ip_address=ip_address)
        message = f"{_replaced(team)} It is not verified: {failure}"
    else:
        verification = _record_success(team, result, actor=actor, ip_address=ip_address)
        message = f"{_replaced(team)} {verification.message}"
    return KeyRotation(saved=True, message=message, verification=verification)


def _replaced(team: Team) -> str:
    ending = f"; it now ends with …{team.api_key_last4}" if team.api_key_last4 else ""
    return f"Key replaced{ending}."


def _record_failure(team: Team, exc: Exception, *, actor, ip_address) -> KeyVerification:
    message = _failure_message(exc, team=team)
    logger.warning(
        "Willo key verification failed for team %s: %s: %s", team.slug, type(exc).__name__, exc
    )
    team.clear_verification()
    if isinstance(exc, AuthenticationError):
        team.key_refused_at = timezone.now()  # the team page says since when
    team.key_verification_message = message[:300]
    team.save(update_fields=[*Team.VERIFICATION_FIELDS, "updated_at"])
    KeyAuditEntry.record(
        team=team,
        action=KeyAuditEntry.Action.VERIFY_FAILED,
        actor=actor,
        ip_address=ip_address,
        detail=message,
    )
    return KeyVerification(ok=False, message=message)


def _record_success(team: Team, result, *, actor, ip_address) -> KeyVerification:
    users, children = result
    is_parent = children is not None
    team.clear_verification()
    team.key_verified_at = timezone.now()
    team.agency_checked_at = team.key_verified_at
    team.is_parent = is_parent
    user = _key_owner(users, email=team.willo_user_email)
    if user is not None:
        team.key_verified_user_key = user.key
        team.key_verified_user_name = user.full_name or ""
        team.key_verified_user_email = user.email or ""
        who = f"{user.full_name} <{user.email}>" if user.full_name else user.email
        message = f"Key accepted; it belongs to the Willo user {who}."
    elif team.willo_user_email:
        message = (
            f"Key accepted; no Willo user with the email {team.willo_user_email} in this "
            "organisation — check the Willo user email and verify again."
        )
    else:
        message = USER_NOT_IDENTIFIED
    if is_parent:
        message += " The organisation is a parent (agency) organisation."
    team.key_verification_message = message[:300]
    team.save(
        update_fields=[*Team.VERIFICATION_FIELDS, "is_parent", "agency_checked_at", "updated_at"]
    )
    children_store(team, children or [])
    KeyAuditEntry.record(
        team=team,
        action=KeyAuditEntry.Action.VERIFIED,
        actor=actor,
        ip_address=ip_address,
        detail=message,
    )
    return KeyVerification(ok=True, message=message)


@sensitive_variables()
def _call_willo(team: Team, *, http_client: httpx.Client | None, api_key: str | None = None):
    # A web request waits for no retries: the admin sees the answer and may try again.
    # The key is passed explicitly: a refusal here is recorded by the verification itself.
    if api_key is None:
        api_key = team.api_key_plaintext()
    with client_for_team(team, retry=False, http_client=http_client, api_key=api_key) as client:
        users = list(client.users.list(page_size=MAX_PAGE_SIZE))
        try:
            children = client.children.list()
        except (PermissionDeniedError, NotFoundError):
            children = None
    return users, children


def _key_owner(users: list, *, email: str):
    if email:
        wanted = email.strip().casefold()
        return next((u for u in users if (u.email or "").casefold() == wanted), None)
    if len(users) == 1:
        return users[0]
    return None


def _failure_message(exc: Exception, *, team: Team) -> str:
    if isinstance(exc, AuthenticationError):
        return REJECTED_MESSAGE
    if isinstance(exc, PermissionDeniedError):
        return FORBIDDEN_MESSAGE
    if isinstance(exc, RateLimitError):
        return "Willo is rate-limiting requests (429); wait a minute and verify again."
    if isinstance(exc, InternalServerError):
        return f"Willo failed (HTTP {exc.status_code}); try again later."
    if isinstance(exc, APIStatusError):
        return f"Willo refused the check (HTTP {exc.status_code}); is the environment right?"
    if isinstance(exc, UnsafeHostError):
        return "Could not reach Willo: the base URL's host does not resolve to a public address."
    if isinstance(exc, APIConnectionError | ResponseValidationError):
        # Never what answered (open or closed port, a timeout, someone else's server):
        # the detail is in the server log only.
        return UNREACHABLE_MESSAGE
    if isinstance(exc, InsecureBaseURLError):
        return f"The base URL is not allowed: {exc}"
    if isinstance(exc, MissingAPIKeyError):
        return "This team has no API key (a key is cleared when the base URL changes): enter one."
    if isinstance(exc, KeyDecryptionError):
        return (
            "The stored key cannot be decrypted with the configured WILLO_ENCRYPTION_KEYS; "
            "enter the key again."
        )
    return f"Verification failed: {type(exc).__name__}."
