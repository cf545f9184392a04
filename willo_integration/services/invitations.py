"""Inviting a candidate to a job, with Willo's own validation errors kept for the form."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from dashboard.models import actor_label
from willo_integration.client import (
    BadRequestError,
    InvalidArgumentError,
    RequestOutcomeUnknownError,
)
from willo_integration.models import CachedInterview, CachedParticipant, Source
from willo_integration.services.cache_writer import participant_store
from willo_integration.services.errors import WILLO_FAILURES
from willo_integration.services.freshness import log_failure, unavailable_message
from willo_integration.services.scope import Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger("willo_integration.services")


class InviteError(Exception):
    """The invitation was not made; ``field_errors`` by form field, ``message`` for the form."""

    def __init__(self, message: str, field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


def participant_invite(
    *,
    scope: Scope,
    interview_key: str,
    name: str,
    email: str,
    phone: str = "",
    send_notifications: bool = True,
    actor: AbstractBaseUser | None,
) -> CachedParticipant:
    """Invite a candidate; the new participant is cached at once. Never sent twice."""
    name, email, phone = name.strip(), email.strip(), phone.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter the candidate's name."]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter a valid email address."]
    if errors:
        raise InviteError("Check the highlighted fields.", errors)
    try:
        with scope.client(retry=False) as willo:
            payload = willo.participants.invite(
                interview=interview_key,
                name=name,
                email=email,
                phone=phone or None,
                send_notifications=send_notifications,
            )
    except BadRequestError as exc:
        log_failure("invite", repr(scope), exc)
        raise InviteError("Willo did not accept the invitation.", exc.field_errors) from exc
    except InvalidArgumentError as exc:
        raise InviteError(
            "Check the highlighted fields.", {exc.parameter: [str(exc).partition(": ")[2]]}
        ) from exc
    except RequestOutcomeUnknownError as exc:
        log_failure("invite", repr(scope), exc)
        raise InviteError(
            "Willo did not confirm the invitation; it may have been sent. "
            "Refresh the candidate list before inviting again."
        ) from exc
    except WILLO_FAILURES as exc:
        log_failure("invite", repr(scope), exc)
        raise InviteError(unavailable_message(exc)) from exc
    interview = CachedInterview.objects.filter(
        team=scope.team, scope=scope.key, key=interview_key
    ).first()
    row = participant_store(scope=scope, payload=payload, source=Source.READ, interview=interview)
    logger.info(
        "participant %s invited to interview %s by %s",
        row.key,
        interview_key,
        actor_label(actor),
    )
    return row
