"""A candidate's identity check: read live from Willo, never stored; revealing it is audited."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from dashboard.models import IdentityReveal, actor_label, actor_user, actor_username
from willo_integration import schemas
from willo_integration.client import NotFoundError
from willo_integration.services.errors import WILLO_FAILURES, WilloUnavailable
from willo_integration.services.freshness import log_failure, unavailable_message
from willo_integration.services.reads import Budget, read_shared
from willo_integration.services.scope import Scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger("willo_integration.services")


def participant_identity(
    *, scope: Scope, key: str, budget: Budget | None = None
) -> schemas.IdvInfo | None:
    """The participant's IDV / right-to-work / DBS check, straight from Willo.

    None if they have none. Personal document data is never written to the database;
    the check is kept in the cache only encrypted and for WILLO_REFRESH_COALESCE_SECONDS,
    so a panel opened again (or revealed) shares one read of Willo. ``budget`` is spent
    only when Willo is read.
    """
    return read_shared(
        scope=scope,
        what="identity",
        key=key,
        read=lambda: _identity_read(scope, key),
        budget=budget,
        secret=True,
    ).value


def _identity_read(scope: Scope, key: str) -> schemas.IdvInfo | None:
    try:
        with scope.client(retry=False) as willo:
            return willo.participants.idv_info(key)
    except NotFoundError:
        return None
    except WILLO_FAILURES as exc:
        log_failure("identity check", repr(scope), exc)
        raise WilloUnavailable(unavailable_message(exc)) from exc


def identity_reveal(
    *,
    scope: Scope,
    participant_key: str,
    actor: AbstractBaseUser | None,
    ip_address: str | None,
) -> None:
    """Record that ``actor`` revealed the participant's masked identity document data."""
    reveal = IdentityReveal.objects.create(
        team=scope.team,
        scope=scope.key,
        participant_key=participant_key,
        actor=actor_user(actor),
        actor_username=actor_username(actor),
        ip_address=ip_address,
    )
    logger.info(
        "identity data of participant %s revealed in %r by %s (reveal %s)",
        participant_key,
        scope,
        actor_label(actor),
        reveal.pk,
    )
