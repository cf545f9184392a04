"""Message templates: the invite, reminder and success emails and texts candidates get."""

from __future__ import annotations

from typing import Any

from willo_integration.schemas import MessageTemplate

from ..errors import InvalidArgumentError
from ._resource import ListableResource, ListSpec, body_of

TYPES = frozenset({"email", "sms"})
TRIGGERS = frozenset({"invite", "reminder", "success_email"})


class MessageTemplates(ListableResource[MessageTemplate]):
    path = "message-templates/"
    item_model = MessageTemplate
    # The list filter spells the email type "emails" while bodies say "email".
    list_spec = ListSpec(
        filters=frozenset({"search", "type", "trigger", "system_default"}),
        ordering=frozenset({"created_at", "-created_at", "title", "-title"}),
    )

    def list_page(self, page: int = 1, *, retry: bool = True, **options: Any):
        return super().list_page(page, retry=retry, **_list_options(options))

    def list(self, *, retry: bool = True, **options: Any):
        return super().list(retry=retry, **_list_options(options))

    def create(self, *, title: str, type: str, trigger: str, content: str) -> MessageTemplate:
        body = {"title": title, "type": type, "trigger": trigger, "content": content}
        body = _check(body_of(body, required=list(body)))
        return self._call("POST", self.path, MessageTemplate, json=body)

    def retrieve(self, key: str, *, retry: bool = True) -> MessageTemplate:
        return self._call(
            "GET", self.path + "{key}/", keys={"key": key}, model=MessageTemplate, retry=retry
        )

    def update(
        self, key: str, *, title: str, type: str, trigger: str, content: str
    ) -> MessageTemplate:
        body = {"title": title, "type": type, "trigger": trigger, "content": content}
        body = _check(body_of(body, required=list(body)))
        return self._call(
            "PUT", self.path + "{key}/", keys={"key": key}, model=MessageTemplate, json=body
        )

    def partial_update(self, key: str, **fields: Any) -> MessageTemplate:
        body = _check(body_of(fields))
        return self._call(
            "PATCH", self.path + "{key}/", keys={"key": key}, model=MessageTemplate, json=body
        )

    def delete(self, key: str) -> None:
        self._call("DELETE", self.path + "{key}/", keys={"key": key}, model=None)


def _check(body: dict[str, Any]) -> dict[str, Any]:
    unknown = set(body) - {"title", "type", "trigger", "content"}
    if unknown:
        raise InvalidArgumentError(sorted(unknown)[0], "is not a message template field")
    if "type" in body and body["type"] not in TYPES:
        raise InvalidArgumentError("type", "must be 'email' or 'sms'")
    if "trigger" in body and body["trigger"] not in TRIGGERS:
        raise InvalidArgumentError("trigger", "must be invite, reminder or success_email")
    return body


def _list_options(options: dict[str, Any]) -> dict[str, Any]:
    options = dict(options)
    kind = options.get("type")
    if kind is not None:
        if kind not in {"email", "emails", "sms"}:
            raise InvalidArgumentError("type", "must be 'email' or 'sms'")
        options["type"] = "emails" if kind == "email" else kind
    if options.get("trigger") is not None and options["trigger"] not in TRIGGERS:
        raise InvalidArgumentError("trigger", "must be invite, reminder or success_email")
    return options
