"""Build a Willo client for a team: its environment's base URL and its decrypted key."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from willo_integration.client import WilloClient

if TYPE_CHECKING:
    from dashboard.models import Team

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
) -> WilloClient:
    """A client for ``team``; ``http_client`` lets tests put an httpx.MockTransport behind it.

    Raises KeyDecryptionError (fail closed) if the stored key cannot be decrypted,
    and MissingAPIKeyError if the team has none.
    """
    api_key = team.api_key_plaintext()
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
    )
