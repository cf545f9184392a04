"""Change markers: what an open page polls to learn, cheaply, that it should refresh.

One marker per team scope and one per candidate, kept in the cache (no query to read
them). A marker moves on commit of any change to a cached candidate or a decision.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from willo_integration.services.scope import Scope

TIMEOUT = 24 * 3600


def _keys(scope: Scope, participant_keys: Iterable[str] = ()) -> list[str]:
    scope_key = f"willo:changed:{scope.team.pk}:{scope.key}"
    return [scope_key, *(f"{scope_key}:{key}" for key in participant_keys if key)]


def changes_mark(*, scope: Scope, participant_keys: Iterable[str] = ()) -> None:
    """Move the scope's marker (and the candidates'), once the transaction commits."""
    keys = _keys(scope, participant_keys)

    def mark() -> None:
        cache.set_many(dict.fromkeys(keys, str(time.time_ns())), timeout=TIMEOUT)

    transaction.on_commit(mark)


def changes_marker(*, scope: Scope, participant_key: str | None = None) -> str:
    """The scope's marker, or the candidate's when ``participant_key`` is given."""
    return cache.get(_keys(scope, [participant_key] if participant_key else [])[-1]) or "0"
