"""What happens in the sandbox that Willo would tell webhooks about."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from typing import Any

from django.db.models import Q

from . import serializers as s
from .models import Comment, Participant, Score, Webhook, WebhookEvent
from .webhooks import Delivery, dispatch

_ALPHABET = string.ascii_letters + string.digits


def event_id() -> str:
    return "evt_" + "".join(secrets.choice(_ALPHABET) for _ in range(24))


def _matching(participant: Participant, event: str) -> list[Webhook]:
    interview = participant.interview
    return list(
        Webhook.objects.filter(organisation_id=participant.organisation_id, event=event)
        .filter(
            Q(follow_all_interviews=True)
            | Q(interviews=interview)
            | Q(departments=interview.department_id)
            | Q(users=interview.owner_id)
        )
        .distinct()
        .order_by("id")
    )


def _emit(
    participant: Participant, event: str, payload: Callable[[Webhook], dict[str, Any]]
) -> int:
    hooks = _matching(participant, event)
    for hook in hooks:
        body = payload(hook)
        dispatch(
            Delivery(
                webhook_id=hook.pk,
                url=hook.url,
                token=hook.token,
                event=event,
                event_id=body.get("id") or event_id(),
                payload=body,
            )
        )
    return len(hooks)


def _participant_payload(participant: Participant, base: str) -> Callable[[Webhook], dict]:
    def build(hook: Webhook) -> dict[str, Any]:
        return s.participant_detail(
            participant,
            base,
            with_transcripts=hook.return_transcripts,
            with_summary=hook.return_summary,
            with_score=False,
        )

    return build


def status_changed(participant: Participant, base: str) -> int:
    return _emit(participant, WebhookEvent.STATUS_CHANGE, _participant_payload(participant, base))


def new_response(participant: Participant, base: str) -> int:
    return _emit(participant, WebhookEvent.NEW_RESPONSE, _participant_payload(participant, base))


def new_comment(comment: Comment) -> int:
    data = s.comment_event_data(comment)
    return _emit(
        comment.participant,
        WebhookEvent.NEW_COMMENT,
        lambda hook: {"id": event_id(), "api_version": "v1", "type": "new_comment", "data": data},
    )


def new_score(score: Score) -> int:
    data = s.score_event_data(score)
    return _emit(
        score.participant,
        WebhookEvent.NEW_SCORE,
        lambda hook: {"id": event_id(), "api_version": "v1", "type": "new_score", "data": data},
    )
