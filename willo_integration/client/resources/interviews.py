"""Interviews: what recruiters call jobs; each holds the questions candidates answer."""

# Reference: REFERENCE.md "Interviews". Once an interview has responses Willo
# refuses to add or remove questions or change their types.

from __future__ import annotations

from typing import Any

from willo_integration.schemas import IDENTITY_ANSWER_TYPES, AnswerType, Interview

from ..errors import InvalidArgumentError
from ._resource import ListableResource, ListSpec, body_of

LANGUAGES = frozenset(
    {
        "en",
        "zh",
        "hi",
        "es",
        "fr",
        "ar",
        "ru",
        "id",
        "de",
        "nl",
        "el",
        "zhtw",
        "cy",
        "ua",
        "it",
        "ko",
        "ja",
        "ht",
    }
)
ANSWER_TYPES = frozenset(AnswerType)
MESSAGE_TEMPLATE_SLOTS = (
    "invitation_email",
    "invitation_sms",
    "reminder_email",
    "reminder_sms",
    "interview_completed_email",
)


class Interviews(ListableResource[Interview]):
    path = "interviews/"
    item_model = Interview
    list_spec = ListSpec(
        filters=frozenset({"department", "owner", "search"}),
        ordering=frozenset({"title", "-title", "created_at", "-created_at"}),
    )

    def create(self, **body: Any) -> Interview:
        return self._call("POST", self.path, Interview, json=check_interview(body, full=True))

    def retrieve(self, key: str, *, retry: bool = True) -> Interview:
        return self._call(
            "GET", self.path + "{key}/", keys={"key": key}, model=Interview, retry=retry
        )

    def update(self, key: str, **body: Any) -> Interview:
        return self._call(
            "PUT",
            self.path + "{key}/",
            keys={"key": key},
            model=Interview,
            json=check_interview(body, full=True),
        )

    def partial_update(self, key: str, **body: Any) -> Interview:
        return self._call(
            "PATCH",
            self.path + "{key}/",
            keys={"key": key},
            model=Interview,
            json=check_interview(body, full=False),
        )

    def delete(self, key: str) -> None:
        self._call("DELETE", self.path + "{key}/", keys={"key": key}, model=None)


def check_interview(body: dict[str, Any], *, full: bool) -> dict[str, Any]:
    """Check what Willo restricts before sending; ``full`` for POST and PUT bodies."""
    body = body_of(body, required=["title", "department"] if full else [])
    language = body.get("default_language")
    if language is not None and language not in LANGUAGES:
        raise InvalidArgumentError("default_language", f"{language!r} is not a Willo language")
    if full and not body.get("questions"):
        raise InvalidArgumentError("questions", "at least one question is required")
    for index, question in enumerate(body.get("questions") or []):
        _check_question(index, question)
    templates = body.get("message_templates")
    if full and templates is None:
        # Willo requires each slot; null means "use the default template".
        body["message_templates"] = dict.fromkeys(MESSAGE_TEMPLATE_SLOTS)
    elif templates is not None:
        unknown = set(templates) - set(MESSAGE_TEMPLATE_SLOTS)
        if unknown:
            raise InvalidArgumentError("message_templates", f"unknown slot {sorted(unknown)[0]!r}")
    return body


def _check_question(index: int, question: Any) -> None:
    where = f"questions[{index}]"
    if not isinstance(question, dict):
        raise InvalidArgumentError(where, "must be an object")
    for name in ("text", "answer_type"):
        if not question.get(name):
            raise InvalidArgumentError(f"{where}.{name}", "is required")
    if question.get("order") is None:
        raise InvalidArgumentError(f"{where}.order", "is required")
    answer_type = question["answer_type"]
    if answer_type not in ANSWER_TYPES:
        raise InvalidArgumentError(f"{where}.answer_type", f"{answer_type!r} is not an answer type")
    if answer_type in IDENTITY_ANSWER_TYPES and not (
        question.get("location_of_employment") or question.get("idv_country_of_employment_iso_code")
    ):
        raise InvalidArgumentError(
            f"{where}.location_of_employment", f"is required for {answer_type} questions"
        )
