"""Reading a webhook delivery's body, before anything of it is stored.

A body is accepted only as what the apply step can handle: UTF-8 JSON (no byte order mark),
nested at most ``MAX_DEPTH`` deep, every number within the parser's limits and finite, and
either a participant object (new_response, status_change) or an ``evt_`` envelope whose
``data`` is an object (new_comment, new_score). Anything else raises MalformedWebhookBody,
which the receiver answers 400. Pure Python: nothing here knows of Django.

Numbers: an integer of more than 4,300 digits is refused (CPython will not convert it);
so are ``NaN``, ``Infinity`` and a float too large for a double (``1e400``): RFC 8259 has no
such values, and PostgreSQL's ``jsonb`` refuses them when the apply step caches the payload.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from willo_integration.schemas import is_webhook_envelope

MAX_DEPTH = 64

_BRACKETS_ONLY = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_SURROGATE = re.compile("[\ud800-\udfff]")


class MalformedWebhookBody(ValueError):
    """The body is not one the receiver accepts; the message says why (for the log)."""


@dataclass(frozen=True, slots=True)
class WebhookBody:
    """An accepted body: its text (as stored), the parsed payload and what the intake needs
    of it. ``event_id`` and ``event_type`` are set for an envelope only."""

    text: str
    payload: dict[str, Any]
    envelope: bool
    event_id: str
    event_type: str
    participant_key: str


def parse_webhook_body(body: bytes) -> WebhookBody:
    """The body checked and parsed (once); MalformedWebhookBody otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedWebhookBody(f"not UTF-8: {exc}") from None
    if text.startswith("\ufeff"):
        raise MalformedWebhookBody("the body starts with a byte order mark")
    if depth := depth_beyond(text, MAX_DEPTH):
        raise MalformedWebhookBody(f"nested {depth} levels deep (at most {MAX_DEPTH})")
    try:
        payload = json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, digit limit, ours
        raise MalformedWebhookBody(f"malformed JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise MalformedWebhookBody(f"the body is a JSON {type(payload).__name__}, not an object")
    if is_webhook_envelope(payload):
        return _envelope(text, payload)
    key = payload.get("key")
    if not isinstance(key, str) or not key:
        raise MalformedWebhookBody("neither a participant (no key) nor an evt_ envelope")
    return WebhookBody(
        text=text,
        payload=payload,
        envelope=False,
        event_id="",
        event_type="",
        participant_key=_storable(key, "participant key"),
    )


def depth_beyond(text: str, limit: int) -> int | None:
    """How deep the brackets outside strings nest, if deeper than ``limit`` (else None);
    found without recursion, in a few linear passes in C (a body of 10^5 ``[`` costs a scan,
    not a stack overflow).

    Once the escaped backslashes and quotes are dropped, every quote left opens or closes a
    string, so the text outside strings is every other piece between quotes. Where the body
    is not JSON the figure may be off after the first error, which the parser stops at.
    """
    if text.count("[") + text.count("{") <= limit:  # nearly every delivery
        return None
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(unescaped.split('"')[::2])
    steps = map(_STEP.__getitem__, _BRACKETS_ONLY.sub("", outside))
    depth = max(accumulate(steps), default=0)
    return depth if depth > limit else None


def _envelope(text: str, payload: dict[str, Any]) -> WebhookBody:
    data = payload.get("data")
    if not isinstance(data, dict):
        raise MalformedWebhookBody("an evt_ envelope whose data is not an object")
    event_type = payload.get("type")
    if event_type is not None and not isinstance(event_type, str):
        raise MalformedWebhookBody("an evt_ envelope whose type is not a string")
    participant = data.get("participant")
    if participant is not None and not isinstance(participant, dict):
        raise MalformedWebhookBody("an evt_ envelope whose participant is not an object")
    key = (participant or {}).get("key")
    if key is not None and not isinstance(key, str):
        raise MalformedWebhookBody("an evt_ envelope whose participant key is not a string")
    return WebhookBody(
        text=text,
        payload=payload,
        envelope=True,
        event_id=_storable(payload["id"], "event id"),
        event_type=_storable(event_type or "", "event type"),
        participant_key=_storable(key or "", "participant key"),
    )


def _storable(value: str, what: str) -> str:
    """``value``, if a database column takes it: no U+0000, no lone surrogate (a JSON
    escape can make either; the body's own text, strict UTF-8 JSON, has neither)."""
    if "\x00" in value or (not value.isascii() and _SURROGATE.search(value)):
        raise MalformedWebhookBody(f"the {what} holds characters that cannot be stored")
    return value


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise MalformedWebhookBody(f"the number {literal[:40]} is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise MalformedWebhookBody(f"{name} is not a JSON number")
