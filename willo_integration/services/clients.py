"""Build a Willo client for a team: its environment's base URL and its decrypted key."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

import httpx
from django.conf import settings
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from dashboard.validators import api_host_policy
from willo_integration.client import WilloClient

if TYPE_CHECKING:
    from dashboard.models import Team

logger = logging.getLogger("willo_integration.services")

# When set, every team client sends its requests here instead of the network:
# tests put an httpx.MockTransport in it for code paths (admin actions,
# commands) that cannot pass ``http_client`` themselves.
transport: httpx.BaseTransport | None = None


@sensitive_variables()
def client_for_team(
    team: Team,
    *,
    agency_user_key: str | None = None,
    retry: bool = True,
    http_client: httpx.Client | None = None,
    api_key: str | None = None,
) -> WilloClient:
    """A client for ``team``; ``http_client`` lets tests put an httpx.MockTransport behind it.

    Raises KeyDecryptionError (fail closed) if the stored key cannot be decrypted,
    and MissingAPIKeyError if the team has none. ``api_key`` tries a key not stored yet.
    """
    on_key_refused = None
    if api_key is None:
        api_key = team.api_key_plaintext()
        on_key_refused = functools.partial(team_key_refused_record, team)
    if http_client is None and transport is not None:
        http_client = httpx.Client(transport=transport)
    return WilloClient(
        team.base_url,
        api_key,
        agency_user_key=agency_user_key,
        requests_per_second=settings.WILLO_REQUESTS_PER_SECOND,
        timeout=settings.WILLO_TIMEOUT_SECONDS,
        max_retries=2 if retry else 0,
        http_client=http_client,
        host_policy=api_host_policy(),
        on_key_refused=on_key_refused,
    )


def team_key_refused_record(team: Team) -> None:
    """Willo answered 401 to the team's stored key: the team page says refused, and when."""
    from dashboard.models import KeyAuditEntry, Team

    now = timezone.now()
    message = f"Willo refused this key (401) on {timezone.localtime(now):%d %b %Y at %H:%M}."
    first = Team.objects.filter(pk=team.pk, key_refused_at__isnull=True).update(
        key_refused_at=now, key_verified_at=None, key_verification_message=message
    )
    team.key_refused_at, team.key_verified_at, team.key_verification_message = now, None, message
    if first:
        logger.warning("team %s: Willo refused its API key (401)", team.slug)
        KeyAuditEntry.record(team=team, action=KeyAuditEntry.Action.REFUSED, detail=message)
