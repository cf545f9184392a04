"""What an open page needs to poll for changes: the scope's (or a candidate's) marker."""

from __future__ import annotations

from willo_integration.services.changes import changes_marker
from willo_integration.services.scope import Scope

POLL_SECONDS = 2


def live_context(scope: Scope, participant_key: str = "") -> dict:
    return {
        "live_marker": changes_marker(scope=scope, participant_key=participant_key or None),
        "live_candidate": participant_key,
        "live_every": POLL_SECONDS,
    }
