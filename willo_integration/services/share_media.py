"""Answer media of a share's candidates, streamed through the dashboard with the browser's
byte range: the hiring manager never gets Willo's link, and every request is checked
against the share, so revoking it ends access at once. When Willo's link has stopped
working, the candidate is read from Willo again once (a read the share's budget counts)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from dashboard.models import Share
from dashboard.validators import media_host_policy
from willo_integration import schemas
from willo_integration.client.media import (
    CHUNK_BYTES,
    MediaUnreachable,
    media_http_client,
    media_open,
    relayed_headers,
)
from willo_integration.models import CachedParticipant
from willo_integration.services import clients
from willo_integration.services.errors import WILLO_FAILURES, ParticipantNotFound
from willo_integration.services.participants import participant_refetch
from willo_integration.services.reads import Budget
from willo_integration.services.shares import ShareNotFound, share_scope, shared_candidate

logger = logging.getLogger("willo_integration.shares")

MEDIA = frozenset({"video", "audio", "file"})  # answer types with media to stream
_pool: dict[bool, httpx.Client] = {}


class MediaUnavailable(Exception):
    """The answer's media cannot be fetched now, even after reading Willo again."""


@dataclass
class MediaStream:
    status: int
    headers: dict[str, str]
    chunks: Iterator[bytes]  # closes Willo's response when done or closed


def share_media_open(
    *, share: Share, participant_key: str, answer_key: str, byte_range: str, budget: Budget
) -> MediaStream:
    """The media of one answer of a candidate of the share. ShareNotFound if the share has
    no such candidate or answer (or it has no media); MediaUnavailable when the link fails
    again after one re-read; ReadLimitReached when the share has read Willo too often."""
    candidate = shared_candidate(share, participant_key)
    link = _media_link(candidate, answer_key)
    response, why = _fetch(link, byte_range)
    if response is None:
        logger.info("share %s: media link failed (%s); reading the candidate again", share.pk, why)
        try:
            candidate, _freshness = participant_refetch(
                scope=share_scope(share), key=candidate.key, budget=budget
            )
        except (ParticipantNotFound, *WILLO_FAILURES) as exc:
            raise MediaUnavailable(type(exc).__name__) from None
        response, why = _fetch(_media_link(candidate, answer_key), byte_range)
        if response is None:
            raise MediaUnavailable(why)
    return MediaStream(
        status=response.status_code,
        headers=relayed_headers(response),
        chunks=_chunks(response),
    )


def _media_link(candidate: CachedParticipant, answer_key: str) -> str:
    payload: schemas.Participant | None = candidate.participant()
    answer = next((a for a in (payload.answers if payload else []) if a.key == answer_key), None)
    if answer is None or answer.is_media_deleted or _answer_type(candidate, answer) not in MEDIA:
        raise ShareNotFound("No such answer in this share.")
    return answer.remote_link or ""  # checked before any connection (media_open)


def _answer_type(candidate: CachedParticipant, answer: schemas.Answer) -> str:
    """The answer's type, from its question or else the job's (identity checks never pass)."""
    question = answer.question
    if question and question.answer_type:
        return str(question.answer_type)
    job = candidate.interview.questions() if candidate.interview else []
    full = next((q for q in job if question and q.key == question.key), None)
    return str(full.answer_type or "") if full else ""


def _fetch(link: str, byte_range: str) -> tuple[httpx.Response | None, str]:
    """Willo's storage's answer, or None and why it failed (a range past the end is an
    answer: 416 goes on to the browser)."""
    if not link:
        return None, "no web link"
    try:
        response = media_open(_client(), link, policy=media_host_policy(), byte_range=byte_range)
    except MediaUnreachable as exc:
        return None, str(exc)
    if response.status_code < 400 or response.status_code == 416:
        return response, ""
    response.close()
    return None, f"HTTP {response.status_code}"


def _client() -> httpx.Client:
    if clients.transport is not None:  # tests: the network replaced
        return media_http_client(media_host_policy(), transport=clients.transport)
    private = media_host_policy().allow_private
    if private not in _pool:
        _pool[private] = media_http_client(media_host_policy())
    return _pool[private]


def _chunks(response: httpx.Response) -> Iterator[bytes]:
    try:
        yield from response.iter_raw(CHUNK_BYTES)
    except httpx.StreamConsumed:  # a response built in memory (tests) is read already
        yield response.content
    except httpx.HTTPError as exc:
        logger.info("media stream cut short: %s", type(exc).__name__)
    finally:
        response.close()
