"""Participants: the candidates invited to an interview, their answers and identity checks."""

from __future__ import annotations

from typing import Any

from willo_integration.schemas import DECISION_STATUSES, IdvInfo, IdvMedia, Participant

from ..errors import InvalidArgumentError
from ._resource import RAW, ListableResource, ListSpec, body_of, check_key

DETAIL = "participants/{key}/"
UPDATABLE = frozenset({"name", "phone", "status", "custom_id"})


class Participants(ListableResource[Participant]):
    path = "participants/"
    item_model = Participant
    list_spec = ListSpec(
        filters=frozenset({"interview", "department", "owner", "search"}),
        ordering=frozenset({"created_at", "-created_at", "name", "-name"}),
    )

    def invite(
        self,
        *,
        interview: str,
        email: str,
        name: str,
        phone: str | None = None,
        send_notifications: bool | None = None,
        custom_id: str | None = None,
    ) -> Participant:
        """Invite a candidate; never re-sent once it may have reached Willo."""
        check_key("interview", interview)
        if not isinstance(email, str) or "@" not in email:
            raise InvalidArgumentError("email", "must be an email address")
        body = body_of(
            {
                "interview": interview,
                "email": email,
                "name": name,
                "phone": phone,
                "send_notifications": send_notifications,
                "custom_id": custom_id,
            },
            required=["interview", "email", "name"],
        )
        return self._call("POST", self.path, Participant, json=body)

    def retrieve(self, key: str, *, retry: bool = True) -> Participant:
        return self._call("GET", DETAIL, Participant, keys={"key": key}, retry=retry)

    def update(self, key: str, *, retry: bool = True, **fields: Any) -> Participant:
        body = _check(fields)
        return self._call("PUT", DETAIL, Participant, keys={"key": key}, json=body, retry=retry)

    def partial_update(self, key: str, *, retry: bool = True, **fields: Any) -> Participant:
        """E.g. ``partial_update(key, status="Accepted")``: a recruiter's decision."""
        body = _check(fields)
        return self._call("PATCH", DETAIL, Participant, keys={"key": key}, json=body, retry=retry)

    def delete(self, key: str) -> None:
        self._call("DELETE", DETAIL, None, keys={"key": key})

    def idv_info(self, key: str, *, retry: bool = True) -> IdvInfo:
        return self._call("GET", DETAIL + "idv-info/", IdvInfo, keys={"key": key}, retry=retry)

    def idv_media(self, key: str, *, retry: bool = True) -> IdvMedia:
        """An identity document or selfie image; ``key`` is a media key from ``idv_info``."""
        response = self._call(
            "GET", DETAIL + "idv-media/", RAW, keys={"key": key}, retry=retry, accept="image/*, */*"
        )
        return IdvMedia(content_type=response.headers.get("content-type"), content=response.content)


def _check(fields: dict[str, Any]) -> dict[str, Any]:
    body = body_of(fields)
    unknown = set(body) - UPDATABLE
    if unknown:
        raise InvalidArgumentError(sorted(unknown)[0], "is not an updatable participant field")
    if "status" in body and body["status"] not in DECISION_STATUSES:
        raise InvalidArgumentError("status", f"must be {_either(DECISION_STATUSES)}")
    return body


def _either(values: tuple[str, ...]) -> str:
    return " or ".join(repr(value) for value in values)
