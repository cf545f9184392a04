"""Webhooks: Willo's callbacks to us on new responses, status changes, comments and scores."""

# Reference: REFERENCE.md "Webhooks". The examples also show "stage_change" and
# "accepted" as event names; we send only the documented ones.

from __future__ import annotations

from typing import Any

from willo_integration.schemas import Webhook, WebhookEventType

from ..errors import InvalidArgumentError
from ._resource import ListableResource, ListSpec, body_of

EVENTS = frozenset(event.value for event in WebhookEventType)
FIELDS = frozenset(
    {
        "follow_all_interviews",
        "interviews",
        "departments",
        "users",
        "url",
        "event",
        "token",
        "payload_configuration",
    }
)
MAX_TOKEN_LENGTH = 128


class Webhooks(ListableResource[Webhook]):
    path = "webhooks/"
    item_model = Webhook
    list_spec = ListSpec(
        filters=frozenset({"follow_all_interviews", "event", "interview"}),
        ordering=frozenset({"created_at", "-created_at"}),
    )

    def create(self, **body: Any) -> Webhook:
        return self._call("POST", self.path, Webhook, json=_check(body, full=True))

    def update(self, key: str, **body: Any) -> Webhook:
        return self._call(
            "PUT",
            self.path + "{key}/",
            keys={"key": key},
            model=Webhook,
            json=_check(body, full=True),
        )

    def partial_update(self, key: str, **body: Any) -> Webhook:
        return self._call(
            "PATCH",
            self.path + "{key}/",
            keys={"key": key},
            model=Webhook,
            json=_check(body, full=False),
        )

    def delete(self, key: str) -> None:
        self._call("DELETE", self.path + "{key}/", keys={"key": key}, model=None)


def _check(body: dict[str, Any], *, full: bool) -> dict[str, Any]:
    body = body_of(body, required=["url", "event"] if full else [])
    unknown = set(body) - FIELDS
    if unknown:
        raise InvalidArgumentError(sorted(unknown)[0], "is not a webhook field")
    if "event" in body:
        # The collection's own examples send "stage_change"; we send the documented name.
        event = WebhookEventType.from_name(body["event"])
        if event is None:
            raise InvalidArgumentError("event", f"must be one of {', '.join(sorted(EVENTS))}")
        body["event"] = event.value
    if "url" in body and not str(body["url"]).startswith(("https://", "http://")):
        raise InvalidArgumentError("url", "must be an absolute URL")
    token = body.get("token")
    if token is not None and (not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH):
        raise InvalidArgumentError(
            "token", f"must be a string of at most {MAX_TOKEN_LENGTH} characters"
        )
    return body
