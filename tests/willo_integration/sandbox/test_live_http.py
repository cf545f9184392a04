"""Over real HTTP through the project's client: a 10,000-participant walk, 429s, agency scope."""

from __future__ import annotations

import time

import pytest

from willo_integration.client import WilloClient
from willo_integration.client.errors import PermissionDeniedError, RateLimitError
from willo_integration.sandbox import knobs, seed
from willo_integration.sandbox.models import Participant

from .conftest import Keys


@pytest.mark.django_db(transaction=True)
def test_walking_10000_participants_at_page_size_30(live_server):
    started = time.monotonic()
    seed.seed(participants=10_000)
    assert time.monotonic() - started < 60
    keys = Keys()
    base = f"{live_server.url}/api/integrations/v2"
    with WilloClient(base_url=base, api_key=keys.owner, requests_per_second=None) as client:
        seen = [p.key for p in client.participants.list(page_size=30)]
    assert len(seen) == 10_000
    assert len(set(seen)) == 10_000


@pytest.mark.django_db(transaction=True)
def test_the_client_sees_the_rate_limit_and_its_retry_after(live_server):
    seed.seed(participants=10)
    keys = Keys()
    base = f"{live_server.url}/api/integrations/v2"
    with (
        knobs.override(rate_limit=2, rate_window_s=3),
        WilloClient(
            base_url=base, api_key=keys.owner, requests_per_second=None, max_retries=0
        ) as client,
    ):
        client.languages.list_page()
        client.languages.list_page()
        with pytest.raises(RateLimitError) as raised:
            client.languages.list_page()
    assert raised.value.status_code == 429
    assert raised.value.retry_after is not None
    assert 1 <= raised.value.retry_after <= 3


@pytest.mark.django_db(transaction=True)
def test_the_agency_header_scopes_the_client_to_a_child(live_server):
    seed.seed(participants=10)
    keys = Keys()
    child = keys.children[1]
    base = f"{live_server.url}/api/integrations/v2"
    agency = keys.agency_admin[child.name]
    with WilloClient(
        base_url=base, api_key=keys.owner, agency_user_key=agency, requests_per_second=None
    ) as client:
        seen = {p.key for p in client.participants.list(page_size=30)}
    assert seen == set(Participant.objects.filter(organisation=child).values_list("key", flat=True))
    with (
        WilloClient(
            base_url=base,
            api_key=keys.owner,
            agency_user_key=keys.other_child_agency,
            requests_per_second=None,
            max_retries=0,
        ) as client,
        pytest.raises(PermissionDeniedError),
    ):
        client.participants.list_page()
