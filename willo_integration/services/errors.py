"""What the services raise, in the domain's words; the interface says it in HTTP.

``NotFound`` and its kinds become a 404 in one place (``dashboard.not_found``), so a
service never raises ``Http404`` and a caller that is not a view (the webhook apply, a
task) catches what the service means: this is not known here, or was deleted in Willo.
"""

from __future__ import annotations

from dashboard.crypto import KeyDecryptionError
from dashboard.models import MissingAPIKeyError
from willo_integration.client import WilloError

# What can stop a request from reaching Willo: Willo itself, or the team's key.
WILLO_FAILURES = (WilloError, MissingAPIKeyError, KeyDecryptionError)


class WilloUnavailable(Exception):
    """Willo could not be reached and nothing is cached; the message is for a person."""


class NotFound(Exception):
    """Not known in this scope (or deleted in Willo); the message is for a person."""

    message = "Not found."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class JobNotFound(NotFound):
    message = "No such job."


class ParticipantNotFound(NotFound):
    message = "No such candidate."


class DecisionNotFound(NotFound):
    message = "No such decision."


class SyncNotFound(NotFound):
    message = "No such sync here."
