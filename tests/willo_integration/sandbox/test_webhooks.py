"""Webhook deliveries: payloads, the Authorization token, retries with backoff."""

from __future__ import annotations

import random

from tests.contract.collection import webhook_payload_examples
from willo_integration.sandbox import knobs, simulate, webhooks
from willo_integration.sandbox.models import Participant, ParticipantStatus, WebhookDelivery

from .fields import missing_fields
from .receiver import receiver


def _register(api, url: str, event: str, **extra: object) -> dict:
    body = {"url": url, "event": event, "follow_all_interviews": True, "token": "s3cret", **extra}
    response = api().call("POST", "/webhooks/", body)
    assert response.status_code == 201, response.content
    return response.json()


def _answered(seeded) -> Participant:
    return (
        Participant.objects.filter(organisation=seeded.parent, status=ParticipantStatus.COMPLETED)
        .filter(answers__transcript__isnull=False)
        .first()
    )


def test_a_status_change_posts_the_participant_with_the_token(api, seeded):
    participant = _answered(seeded)
    with receiver() as hook:
        _register(api, hook.url, "status_change")
        response = api().call("PATCH", f"/participants/{participant.key}/", {"status": "Accepted"})
        assert response.status_code == 200
        (delivery,) = hook.wait_for(1)
    assert delivery.headers["authorization"] == "s3cret"
    assert delivery.body["key"] == participant.key
    assert delivery.body["status"] == "Accepted"
    assert missing_fields(webhook_payload_examples()["stage_change"], delivery.body) == []
    # payload_configuration defaults to false: no transcripts, no summary.
    assert delivery.body["summary"] is None
    assert all(answer["transcript"] is None for answer in delivery.body["answers"])


def test_a_new_response_carries_transcripts_and_summary_when_configured(api, seeded):
    participant = Participant.objects.filter(
        organisation=seeded.parent, status=ParticipantStatus.INVITED
    ).first()
    with receiver() as hook:
        _register(
            api, hook.url, "new_response",
            payload_configuration={"return_transcripts": True, "return_summary": True},
        )  # fmt: skip
        simulate.respond(
            participant, random.Random(1), base="http://testserver/api/integrations/v2"
        )
        (delivery,) = hook.wait_for(1)
    assert delivery.body["status"] == "Completed"
    assert delivery.body["summary"]
    transcripts = [a["transcript"] for a in delivery.body["answers"] if a["transcript"]]
    assert transcripts
    assert all(t["text"] and t["language"] for t in transcripts)
    assert missing_fields(webhook_payload_examples()["new_response"], delivery.body) == []


def test_a_new_comment_and_a_new_score_post_evt_envelopes(api, seeded):
    participant = _answered(seeded)
    rng = random.Random(3)
    with receiver() as hook:
        _register(api, hook.url, "new_comment")
        _register(api, hook.url, "new_score")
        simulate.comment(participant, rng)
        simulate.score(participant, rng)
        comment, score = hook.wait_for(2)
    examples = webhook_payload_examples()
    assert comment.body["type"] == "new_comment"
    assert comment.body["id"].startswith("evt_")
    assert missing_fields(examples["new_comment"], comment.body) == []
    assert score.body["type"] == "new_score"
    assert missing_fields(examples["new_score"], score.body) == []
    assert score.headers["authorization"] == "s3cret"


def test_only_webhooks_following_the_interview_receive_it(api, seeded):
    participant = _answered(seeded)
    other = (
        Participant.objects.filter(organisation=seeded.parent)
        .exclude(interview=participant.interview)
        .first()
    )
    with receiver() as hook:
        body = {"url": hook.url, "event": "new_comment", "interviews": [participant.interview.key]}
        assert api().call("POST", "/webhooks/", body).status_code == 201
        simulate.comment(other, random.Random(1))
        simulate.comment(participant, random.Random(1))
        received = hook.wait_for(1)
    assert [r.body["data"]["participant"]["key"] for r in received] == [participant.key]


def test_a_failed_delivery_is_retried_with_backoff_and_logged(api, seeded, caplog):
    participant = _answered(seeded)
    with knobs.override(webhook_backoff_base_s=0.2), receiver(statuses=[500, 200]) as hook:
        created = _register(api, hook.url, "new_comment")
        simulate.comment(participant, random.Random(1))
        first, second = hook.wait_for(2)
    assert second.at - first.at >= 0.2
    attempts = list(WebhookDelivery.objects.filter(webhook__key=created["key"]).order_by("attempt"))
    assert [(a.attempt, a.status_code, a.succeeded) for a in attempts] == [
        (1, 500, False),
        (2, 200, True),
    ]
    assert "answered HTTP 500" in caplog.text


def test_a_4xx_answer_is_not_retried(api, seeded):
    participant = _answered(seeded)
    with receiver(statuses=[410]) as hook:
        created = _register(api, hook.url, "new_comment")
        simulate.comment(participant, random.Random(1))
        hook.wait_for(1)
    assert WebhookDelivery.objects.filter(webhook__key=created["key"]).count() == 1


def test_delivery_gives_up_after_the_last_attempt(api, seeded):
    participant = _answered(seeded)
    with knobs.override(webhook_max_attempts=3), receiver(statuses=[503, 503, 503, 503]) as hook:
        created = _register(api, hook.url, "new_comment")
        simulate.comment(participant, random.Random(1))
        hook.wait_for(3)
    deliveries = WebhookDelivery.objects.filter(webhook__key=created["key"])
    assert deliveries.count() == 3
    assert not deliveries.filter(succeeded=True).exists()


def test_background_delivery_does_not_block_the_request(api, seeded):
    participant = _answered(seeded)
    with knobs.override(webhook_mode="thread"), receiver() as hook:
        _register(api, hook.url, "status_change")
        api().call("PATCH", f"/participants/{participant.key}/", {"status": "Rejected"})
        webhooks.wait_idle(timeout=5)
        (delivery,) = hook.wait_for(1)
    assert delivery.body["status"] == "Rejected"


def test_the_demos_scheduled_tick_always_sends_a_webhook(api, seeded):
    """Each tick of the demo's life is something the dashboard hears of, in each
    organisation with webhooks: never an invitation alone, which sends no webhook."""
    assert simulate.tick(random.Random(1)) == ""  # no organisation has webhooks yet
    with receiver() as hook:
        for event in ("new_response", "status_change", "new_comment", "new_score"):
            _register(api, hook.url, event)
        with knobs.override(webhook_mode="sync"):
            happened = [simulate.tick(random.Random(seed)) for seed in range(12)]
        deliveries = hook.wait_for(12)
    assert len(deliveries) == 12
    assert all(line.startswith(f"{seeded.parent.name}: ") for line in happened)
    kinds = {line.rsplit("(", 1)[1].rstrip(")") for line in happened}
    assert "new_response" in kinds
    assert len(kinds) >= 3


def test_the_tick_passes_over_an_organisation_with_no_jobs_and_acts_in_the_others(api, seeded):
    """An agency client made from the dashboard starts with no jobs: nothing to respond to
    there, and the other organisations still get their tick."""
    from willo_integration.sandbox.models import Organisation, Webhook

    empty = Organisation.objects.create(
        name="Newly added client", parent=seeded.parent, created_at=simulate._now()
    )
    with receiver() as hook:
        _register(api, hook.url, "new_response")
        Webhook.objects.create(
            organisation=empty, url=hook.url, event="new_response", created_at=simulate._now()
        )
        with knobs.override(webhook_mode="sync"):
            happened = simulate.tick(random.Random(3))
    assert f"{empty.name}: no jobs to respond to yet" in happened
    assert f"{seeded.parent.name}: " in happened
