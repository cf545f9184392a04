"""Willo's comments and scores: stored from new_comment and new_score deliveries, once per
key; read per candidate and scope; erased with the candidate; expired by retention on their
own clock, never with their delivery's row."""

from __future__ import annotations

import copy
import io
import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.contract.collection import webhook_payload_examples
from willo_integration.models import (
    CachedParticipant,
    ReceivedWebhook,
    WilloComment,
    WilloScore,
)
from willo_integration.services.data_protection import candidate_erase, retention_apply
from willo_integration.services.scope import Scope
from willo_integration.services.webhooks import webhook_apply, webhook_replay
from willo_integration.services.willo_feedback import participant_willo_feedback

from .conftest import cached_interview, cached_participant, make_team, reply, requires_sandbox
from .test_webhooks import TOKENS, deliver, participant_body

ROSA = "c990f380bf7f49b79783b79c67459e33"  # the documented examples' participant
WHEN = datetime(2025, 1, 13, 10, 13, 59, 391874, tzinfo=UTC)


@pytest.fixture
def willo(fake_willo):
    """Willo answers the re-read of any candidate."""
    fake_willo.on(
        "GET",
        "participants/",
        lambda request: reply(200, participant_body(request.url.path.split("/")[-2])),
    )
    return fake_willo


def example(event: str) -> dict:
    return copy.deepcopy(webhook_payload_examples()[event])


def comment_envelope(event_id="evt_c1", participant="p1", **comment) -> dict:
    body = {"key": "com1", "text": "Clear answers.", **comment}
    return {
        "id": event_id,
        "type": "new_comment",
        "data": {"participant": {"key": participant}, "comment": body},
    }


def score_envelope(event_id="evt_s1", participant="p1", **score) -> dict:
    body = {"key": "sco1", "general_score": "4.00", **score}
    return {
        "id": event_id,
        "type": "new_score",
        "data": {"participant": {"key": participant}, "score": body},
    }


def received(client, endpoint, body, django_capture_on_commit_callbacks) -> ReceivedWebhook:
    """Deliver through the receiver and apply it (on commit, as the worker would)."""
    event = body.get("type", "new_comment")
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, endpoint, body, token=TOKENS[event])
    assert response.status_code in (200, 202)
    return ReceivedWebhook.objects.filter(event=event).order_by("-pk").first()


# -- storing ------------------------------------------------------------------------------


def test_the_documented_new_comment_is_stored_exactly(
    client, endpoint, scope, willo, django_capture_on_commit_callbacks
):
    event = received(client, endpoint, example("new_comment"), django_capture_on_commit_callbacks)

    assert event.state == "applied"
    comment = WilloComment.objects.get()
    assert (comment.team, comment.scope, comment.participant_key) == (scope.team, "", ROSA)
    assert comment.key == "3d0368276ca640b8bed82e979cf42ea0"
    assert comment.text == "Very good understanding of sales processes"
    assert comment.created_at == WHEN
    assert (comment.author_key, comment.author_name, comment.author_email) == (
        "5699b3503832466bb33e6b86bc8c76f8",
        "Steve Doe",
        "steve@doe.com",
    )
    assert willo.calls("GET", f"participants/{ROSA}/")  # the candidate is re-read as before
    assert CachedParticipant.objects.filter(key=ROSA).exists()


def test_the_documented_new_score_is_stored_exactly(
    client, endpoint, scope, willo, django_capture_on_commit_callbacks
):
    event = received(client, endpoint, example("new_score"), django_capture_on_commit_callbacks)

    assert event.state == "applied"
    score = WilloScore.objects.get()
    assert (score.team, score.scope, score.participant_key) == (scope.team, "", ROSA)
    assert score.key == "10e097f5867a4226adc83665dac0559d"
    assert score.general_score == Decimal("5.00")
    assert score.scored_at == WHEN
    assert (score.scored_by_key, score.scored_by_name, score.scored_by_email) == (
        "5699b3503832466bb33e6b86bc8c76f8",
        "Steve Doe",
        "steve@doe.com",
    )
    assert score.criteria == [
        {
            "text": "Communication skills",
            "description": "How effectively candidate can communicate",
            "order": 1,
            "is_optional": False,
            "score": "5.00",
        }
    ]


def test_a_comment_delivered_again_updates_its_row(endpoint, scope, willo):
    first = _stored(endpoint, comment_envelope("evt_1", text="First words."))
    again = _stored(endpoint, comment_envelope("evt_2", text="Edited words."))

    assert [webhook_apply(event_id=e.pk) for e in (first, again)] == ["applied", "applied"]
    assert webhook_replay(event_id=first.pk) == "applied"
    assert WilloComment.objects.count() == 1
    assert WilloComment.objects.get().text == "First words."  # the last applied wins


def test_a_score_delivered_again_replaces_its_criteria(endpoint, scope, willo):
    criterion = {"key": "x", "scorecard_criteria": {"text": "Tone", "order": 1}, "score": "3.00"}
    for n, criteria in enumerate(([criterion, criterion], [criterion])):
        event = _stored(endpoint, score_envelope(f"evt_{n}", scores_by_criteria=criteria))
        assert webhook_apply(event_id=event.pk) == "applied"

    score = WilloScore.objects.get()
    assert len(score.criteria) == 1


def test_a_comment_and_a_score_with_nothing_but_nulls_are_stored(endpoint, scope, willo):
    comment = _stored(
        endpoint, comment_envelope("evt_c", key=None, text=None, author=None, created_at=None)
    )
    score = _stored(
        endpoint,
        score_envelope(
            "evt_s",
            key=None,
            general_score=None,
            scored_at=None,
            scored_by={"key": None, "full_name": None},
            scores_by_criteria=[{"key": None, "scorecard_criteria": None, "score": None}, {}],
        ),
    )

    assert [webhook_apply(event_id=e.pk) for e in (comment, score)] == ["applied", "applied"]
    stored = WilloComment.objects.get()
    assert (stored.key, stored.text, stored.author_name, stored.created_at) == (
        "evt_c",
        "",
        "",
        None,
    )
    kept = WilloScore.objects.get()
    assert (kept.key, kept.general_score, kept.scored_at, kept.scored_by_name) == (
        "evt_s",
        None,
        None,
        "",
    )
    empty = {"text": "", "description": "", "order": None, "is_optional": None, "score": None}
    assert kept.criteria == [empty, empty]


def test_an_envelope_without_a_comment_or_score_stores_nothing_and_still_re_reads(
    endpoint, scope, willo
):
    bare = {
        "id": "evt_b",
        "type": "new_comment",
        "data": {"participant": {"key": "p1"}, "comment": None},
    }
    event = _stored(endpoint, bare)

    assert webhook_apply(event_id=event.pk) == "applied"
    assert not WilloComment.objects.exists()
    assert willo.calls("GET", "participants/p1/")


def test_strings_are_made_storable_and_cut_to_their_column(endpoint, scope, willo):
    author = {"full_name": "N" * 300, "email": "e\x00@x.example"}
    event = _stored(endpoint, comment_envelope(text="a\x00b\ud800", author=author))

    assert webhook_apply(event_id=event.pk) == "applied"
    comment = WilloComment.objects.get()
    assert (comment.text, len(comment.author_name), comment.author_email) == (
        "ab\ufffd",
        200,
        "e@x.example",
    )


def test_a_score_too_large_for_its_column_is_stored_without_it(endpoint, scope, willo):
    event = _stored(endpoint, score_envelope(general_score="1e400"))

    assert webhook_apply(event_id=event.pk) == "applied"
    assert WilloScore.objects.get().general_score is None


def test_a_comment_that_cannot_be_stored_fails_its_delivery_alone(endpoint, scope, willo):
    bad_key = _stored(endpoint, comment_envelope("evt_1", key="k" * 65))
    bad_score = _stored(endpoint, score_envelope("evt_2", general_score="lots"))
    good = _stored(endpoint, comment_envelope("evt_3", key="com3"))

    from willo_integration.services.webhooks import webhook_apply_pending

    assert webhook_apply_pending().applied == 1  # one chunk: the three side by side
    states = dict(ReceivedWebhook.objects.values_list("pk", "state"))
    assert (states[bad_key.pk], states[bad_score.pk], states[good.pk]) == (
        "failed",
        "failed",
        "applied",
    )
    assert list(WilloComment.objects.values_list("key", flat=True)) == ["com3"]
    assert not WilloScore.objects.exists()


def test_a_comment_is_stored_while_willo_cannot_be_read_and_the_delivery_waits(
    endpoint, scope, fake_willo
):
    fake_willo.on("GET", "participants/", reply(503, {"detail": "down"}))
    event = _stored(endpoint, comment_envelope())

    assert webhook_apply(event_id=event.pk) == "received"  # tried again later for the re-read
    assert WilloComment.objects.get().participant_key == "p1"  # a candidate not cached yet
    ReceivedWebhook.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now())
    fake_willo.on("GET", "participants/", reply(200, participant_body()))
    assert webhook_apply(event_id=event.pk) == "applied"
    assert WilloComment.objects.count() == 1


def test_a_comment_on_a_candidate_willo_no_longer_has_is_not_kept(endpoint, scope, fake_willo):
    fake_willo.on("GET", "participants/", reply(404, {"detail": "Not found."}))
    event = _stored(endpoint, comment_envelope())

    assert webhook_apply(event_id=event.pk) == "ignored"
    assert not WilloComment.objects.exists()


def _stored(endpoint, body: dict) -> ReceivedWebhook:
    return ReceivedWebhook.objects.create(
        team=endpoint.team,
        scope=endpoint.scope,
        endpoint=endpoint,
        event=body["type"],
        dedupe_key=f"evt:{body['id']}",
        participant_key=body["data"]["participant"]["key"],
        body=json.dumps(body),
    )


# -- reading ------------------------------------------------------------------------------


def _comment(
    scope: Scope, participant_key: str, key: str, created_at=None, **fields
) -> WilloComment:
    return WilloComment.objects.create(
        team=scope.team, scope=scope.key, participant_key=participant_key, key=key,
        created_at=created_at, received_at=fields.pop("received_at", timezone.now()), **fields,
    )  # fmt: skip


def _score(scope: Scope, participant_key: str, key: str, scored_at=None, **fields) -> WilloScore:
    return WilloScore.objects.create(
        team=scope.team, scope=scope.key, participant_key=participant_key, key=key,
        scored_at=scored_at, received_at=fields.pop("received_at", timezone.now()), **fields,
    )  # fmt: skip


def test_a_candidates_feedback_is_theirs_in_the_scope_newest_first(scope, other_team):
    child = Scope(team=scope.team, child_key="c" * 32)
    now = timezone.now()
    _comment(scope, "p1", "old", created_at=now - timedelta(days=2))
    _comment(scope, "p1", "new", created_at=now)
    _comment(scope, "p2", "someone-else", created_at=now)
    _comment(child, "p1", "in-a-client", created_at=now)
    _comment(Scope(team=other_team), "p1", "another-team", created_at=now)
    _score(scope, "p1", "s-old", scored_at=now - timedelta(days=1))
    _score(scope, "p1", "s-new", scored_at=now)
    _score(Scope(team=other_team), "p1", "s-theirs", scored_at=now)

    feedback = participant_willo_feedback(scope=scope, key="p1")

    assert [c.key for c in feedback.comments] == ["new", "old"]
    assert [s.key for s in feedback.scores] == ["s-new", "s-old"]
    assert [c.key for c in participant_willo_feedback(scope=child, key="p1").comments] == [
        "in-a-client"
    ]
    assert not participant_willo_feedback(scope=scope, key="nobody")


# -- erasure and retention ------------------------------------------------------------------


@pytest.fixture
def ada(scope, other_team):
    """Ada (p1, cached) has a comment and a score here and a comment in another team; Bob
    (p2) has a comment that mentions Ada's email."""
    cached_participant(scope, cached_interview(scope), key="p1", email="ada@example.com")
    _comment(scope, "p1", "c-ada")
    _score(scope, "p1", "s-ada")
    _comment(Scope(team=other_team), "p1", "c-ada-there")
    _comment(scope, "p2", "c-bob", text="Same school as ada@example.com")


def test_erasure_removes_the_candidates_comments_and_scores_everywhere(ada):
    erased = candidate_erase(email="ADA@example.com")

    assert erased.feedback == 3
    assert list(WilloComment.objects.values_list("key", flat=True)) == ["c-bob"]
    assert not WilloScore.objects.exists()


def test_erasure_limited_to_a_team_keeps_the_others(ada, team):
    candidate_erase(keys=["p1"], team=team)

    assert sorted(WilloComment.objects.values_list("key", flat=True)) == ["c-ada-there", "c-bob"]


def test_erasure_by_email_finds_a_candidate_known_only_from_deliveries(scope, endpoint):
    envelope = comment_envelope(participant="p7")
    envelope["data"]["participant"]["email"] = "Cy@Example.com"
    _stored(endpoint, envelope)
    _comment(scope, "p7", "c-cy")
    bob = comment_envelope("evt_2", participant="p2", text="cy@example.com referred me")
    _stored(endpoint, bob)
    _comment(scope, "p2", "c-bob")

    erased = candidate_erase(email="cy@example.com")

    assert list(WilloComment.objects.values_list("key", flat=True)) == ["c-bob"]
    assert erased.feedback == 1


def test_the_command_says_how_many_comments_and_scores_it_erased(ada):
    out = io.StringIO()

    call_command("erase_candidate", "--key", "p1", stdout=out)

    assert "3 Willo comment(s) and score(s)" in out.getvalue()


def test_retention_expires_comments_and_scores_delivered_before_the_period(scope):
    long_ago = timezone.now() - timedelta(days=40)
    _comment(scope, "p1", "c-old", received_at=long_ago)
    _score(scope, "p1", "s-old", received_at=long_ago)
    _comment(scope, "p1", "c-new")

    expiry = retention_apply(days=30)

    assert expiry.feedback == 2
    assert list(WilloComment.objects.values_list("key", flat=True)) == ["c-new"]
    assert not WilloScore.objects.exists()
    assert retention_apply(days=0).feedback == 0


def test_dropping_handled_deliveries_keeps_the_comments_and_scores_they_brought(
    endpoint, scope, willo
):
    comment = _stored(endpoint, comment_envelope())
    score = _stored(endpoint, score_envelope())
    for event in (comment, score):
        assert webhook_apply(event_id=event.pk) == "applied"
    long_ago = timezone.now() - timedelta(days=40)
    ReceivedWebhook.objects.update(received_at=long_ago)  # stored long ago, applied since

    expiry = retention_apply(days=30)

    assert (expiry.webhooks, expiry.feedback) == (2, 0)
    assert not ReceivedWebhook.objects.exists()
    assert (WilloComment.objects.count(), WilloScore.objects.count()) == (1, 1)


def test_the_admin_lists_them_read_only(admin_client, scope):
    _comment(scope, "p1", "c1", text="Listed")
    _score(scope, "p1", "s1", general_score=Decimal("4.50"))

    comments = admin_client.get(reverse("admin:willo_integration_willocomment_changelist"))
    scores = admin_client.get(reverse("admin:willo_integration_willoscore_changelist"))
    add = admin_client.get(reverse("admin:willo_integration_willocomment_add"))

    assert (comments.status_code, scores.status_code, add.status_code) == (200, 200, 403)
    assert "p1" in comments.content.decode()
    assert "4.50" in scores.content.decode()


# -- end to end: the sandbox's deliveries, through the receiver, on the candidate page ----------


@requires_sandbox
@pytest.mark.django_db(transaction=True)
def test_a_sandbox_comment_and_score_reach_the_candidate_page(live_server, settings, client):
    from django.contrib.auth import get_user_model
    from django.utils.html import escape

    from dashboard.models import Membership
    from willo_integration.sandbox import knobs, seed, simulate
    from willo_integration.sandbox.models import Organisation
    from willo_integration.sandbox.models import Participant as SandboxParticipant
    from willo_integration.services.webhooks import webhook_register

    settings.WILLO_SANDBOX_BASE_URL = f"{live_server.url}/api/integrations/v2"
    team = make_team("Live Team", seed.seed(participants=20).demo_owner_key)
    webhook_register(scope=Scope(team=team), public_url=live_server.url)
    organisation = Organisation.objects.get(name=seed.DEMO_ORGANISATION, parent=None)
    candidate = SandboxParticipant.objects.filter(
        organisation=organisation, status="Completed"
    ).first()

    with knobs.override(webhook_mode="sync"):
        comment = simulate.comment(candidate, random.Random(1))
        score = simulate.score(candidate, random.Random(2))

    assert set(
        ReceivedWebhook.objects.filter(
            team=team, event__in=["new_comment", "new_score"]
        ).values_list("state", flat=True)
    ) == {"applied"}
    stored = WilloComment.objects.get(team=team, key=comment.key)
    assert (stored.participant_key, stored.text) == (candidate.key, comment.text)
    kept = WilloScore.objects.get(team=team, key=score.key)
    assert kept.general_score == score.general_score
    assert len(kept.criteria) == score.by_criteria.count()

    member = get_user_model().objects.create_user("live-recruiter", password="live-pw-12345")
    Membership.objects.create(user=member, team=team, role=Membership.Role.RECRUITER)
    client.force_login(member)
    url = reverse(
        "dashboard:participant_detail", kwargs={"slug": team.slug, "participant_key": candidate.key}
    )
    page = client.get(url).content.decode()
    assert "In Willo: comments and scores" in page
    assert escape(comment.text) in page
    assert escape(comment.author.full_name) in page
    assert f'<strong class="willo-score__value">{score.general_score}</strong>' in page
