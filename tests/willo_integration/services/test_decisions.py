"""Accept and reject: recorded first, sent to Willo, retried, never lost or faked."""

from __future__ import annotations

import httpx
import pytest

from dashboard.models import Decision
from willo_integration import tasks
from willo_integration.models import CachedParticipant
from willo_integration.services.decisions import (
    MAX_ATTEMPTS,
    decision_retry,
    participant_decide,
    participants_decide,
)

from .conftest import cached_interview, cached_participant, reply

UPDATED = {"key": "p1", "name": "Ada", "phone": "", "status": "Accepted", "custom_id": None}


@pytest.fixture
def candidate(scope):
    return cached_participant(
        scope, cached_interview(scope), key="p1", name="Ada", status="Completed"
    )


def _decide(scope, user, status="Accepted", key="p1"):
    return participant_decide(
        scope=scope, participant_key=key, status=status, actor=user, ip_address="192.0.2.7"
    )


def test_it_sends_a_decision_and_updates_the_cache(scope, candidate, fake_willo, admin_user):
    fake_willo.on("PATCH", "participants/p1/", reply(200, UPDATED))

    decision = _decide(scope, admin_user)

    decision.refresh_from_db()
    assert decision.state == Decision.State.SENT
    assert decision.sent_at is not None
    assert (decision.participant_name, decision.actor_username, decision.ip_address) == (
        "Ada",
        admin_user.username,
        "192.0.2.7",
    )
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Accepted"
    assert fake_willo.calls("PATCH")[0].read() == b'{"status":"Accepted"}'


def test_it_keeps_a_throttled_decision_pending_then_sends_it(
    scope, candidate, fake_willo, admin_user, django_capture_on_commit_callbacks
):
    fake_willo.on(
        "PATCH",
        "participants/p1/",
        reply(429, {"detail": "Throttled."}, **{"Retry-After": "7"}),
        reply(200, UPDATED),
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decision = _decide(scope, admin_user)
    decision.refresh_from_db()
    assert decision.state == Decision.State.PENDING
    assert "rate limiting" in decision.last_error
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Completed"

    for callback in callbacks:
        callback()  # eager Celery: the task runs here

    decision.refresh_from_db()
    assert decision.state == Decision.State.SENT
    assert decision.attempts == 2
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Accepted"


def test_it_enqueues_the_retry_with_willos_retry_after(
    scope, candidate, fake_willo, admin_user, monkeypatch
):
    enqueued: list[dict] = []

    class Recorder:
        @staticmethod
        def apply_async_on_commit(**options):
            enqueued.append(options)

    monkeypatch.setattr(tasks, "decision_send_task", Recorder)
    fake_willo.on(
        "PATCH", "participants/p1/", reply(429, {"detail": "Throttled."}, **{"Retry-After": "7"})
    )

    decision = _decide(scope, admin_user)

    assert enqueued == [
        {
            "args": [decision.pk],
            "kwargs": {"relation": "", "check_first": False},
            "countdown": 7.0,
        }
    ]


def test_it_fails_a_refused_decision_with_willos_message(scope, candidate, fake_willo, admin_user):
    fake_willo.on(
        "PATCH",
        "participants/p1/",
        reply(400, {"status": ["Participant has not completed the interview."]}),
    )

    decision = _decide(scope, admin_user)

    decision.refresh_from_db()
    assert decision.state == Decision.State.FAILED
    assert "Participant has not completed the interview." in decision.last_error
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Completed"


def test_it_rereads_after_an_ambiguous_timeout_and_does_not_resend(
    scope, candidate, fake_willo, admin_user, django_capture_on_commit_callbacks
):
    fake_willo.on("PATCH", "participants/p1/", httpx.ReadTimeout("read timed out"))
    fake_willo.on(
        "GET",
        "participants/p1/",
        reply(200, {"key": "p1", "status": "Accepted", "updated_at": "2026-11-02T10:00:00Z"}),
    )

    with django_capture_on_commit_callbacks(execute=True):
        decision = _decide(scope, admin_user)

    decision.refresh_from_db()
    assert decision.state == Decision.State.SENT
    assert len(fake_willo.calls("PATCH")) == 1
    assert len(fake_willo.calls("GET")) == 1
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Accepted"


def test_it_resends_after_an_ambiguous_timeout_when_the_status_did_not_take(
    scope, candidate, fake_willo, admin_user, django_capture_on_commit_callbacks
):
    fake_willo.on(
        "PATCH", "participants/p1/", httpx.ReadTimeout("read timed out"), reply(200, UPDATED)
    )
    fake_willo.on("GET", "participants/p1/", reply(200, {"key": "p1", "status": "Completed"}))

    with django_capture_on_commit_callbacks(execute=True):
        decision = _decide(scope, admin_user)

    decision.refresh_from_db()
    assert decision.state == Decision.State.SENT
    assert len(fake_willo.calls("PATCH")) == 2


def test_it_fails_after_the_last_attempt(
    scope, candidate, fake_willo, admin_user, django_capture_on_commit_callbacks
):
    fake_willo.on("PATCH", "participants/p1/", reply(500, {"detail": "boom"}))
    fake_willo.on("GET", "participants/p1/", reply(500, {"detail": "boom"}))

    with django_capture_on_commit_callbacks(execute=True):
        decision = _decide(scope, admin_user)

    decision.refresh_from_db()
    assert decision.state == Decision.State.FAILED
    assert decision.attempts == MAX_ATTEMPTS
    assert decision.last_error.startswith(f"Willo did not confirm it after {MAX_ATTEMPTS} attempts")
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Completed"


def test_it_decides_several_candidates_at_once(
    scope, fake_willo, admin_user, django_capture_on_commit_callbacks
):
    job = cached_interview(scope)
    first = cached_participant(scope, job, key="p1")
    second = cached_participant(scope, job, key="p2")
    fake_willo.on(
        "PATCH",
        "participants/",
        lambda request: reply(200, {"key": request.url.path.split("/")[-2], "status": "Rejected"}),
    )

    with django_capture_on_commit_callbacks(execute=True):
        decisions = participants_decide(
            scope=scope,
            participant_keys=["p1", "p2", "p1"],
            status="Rejected",
            actor=admin_user,
            ip_address=None,
        )

    assert [d.participant_key for d in decisions] == ["p1", "p2"]
    assert {d.state for d in Decision.objects.filter(pk__in=[d.pk for d in decisions])} == {"sent"}
    assert {r.status for r in CachedParticipant.objects.filter(pk__in=[first.pk, second.pk])} == {
        "Rejected"
    }
    assert sorted(r.url.path.rsplit("/", 2)[-2] for r in fake_willo.calls("PATCH")) == ["p1", "p2"]


def test_it_sends_a_failed_decision_again_on_retry(scope, candidate, fake_willo, admin_user):
    fake_willo.on(
        "PATCH",
        "participants/p1/",
        reply(403, {"detail": "You do not have permission."}),
        reply(200, UPDATED),
    )
    fake_willo.on("GET", "participants/p1/", reply(200, {"key": "p1", "status": "Completed"}))
    failed = _decide(scope, admin_user)
    assert failed.state == Decision.State.FAILED

    retried = decision_retry(scope=scope, decision_id=failed.pk, actor=admin_user)

    retried.refresh_from_db()
    assert retried.state == Decision.State.SENT
    assert retried.last_error == ""
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Accepted"


def test_it_does_not_retry_another_teams_decision(scope, other_team, admin_user):
    theirs = Decision.objects.create(
        team=other_team, participant_key="p1", status="Accepted", state=Decision.State.FAILED
    )

    from django.http import Http404

    with pytest.raises(Http404):
        decision_retry(scope=scope, decision_id=theirs.pk, actor=admin_user)


def test_it_refuses_a_status_that_is_not_a_decision(scope, admin_user):
    with pytest.raises(ValueError, match="Accepted"):
        _decide(scope, admin_user, status="Completed")
    assert not Decision.objects.exists()
