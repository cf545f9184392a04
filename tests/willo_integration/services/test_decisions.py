"""Accept and reject: recorded at once, sent by a task after the undo window, retried with
backoff until sent or failed, never sent twice, never lost."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from dashboard.models import Decision
from willo_integration import tasks
from willo_integration.models import CachedParticipant
from willo_integration.services import decisions as service
from willo_integration.services.decisions import (
    DecisionNotUndoable,
    decision_retry,
    decision_send,
    decision_undo,
    decisions_send_waiting,
    decisions_sweep,
    decisions_undo,
    participant_decide,
    participants_decide,
)
from willo_integration.services.errors import DecisionNotFound
from willo_integration.services.retry_policy import MAX_ATTEMPTS

from .conftest import cached_interview, cached_participant, reply

UPDATED = {"key": "p1", "name": "Ada", "phone": "", "status": "Accepted", "custom_id": None}


@pytest.fixture
def candidate(scope):
    return cached_participant(
        scope, cached_interview(scope), key="p1", name="Ada", status="Completed"
    )


@pytest.fixture
def no_window(settings):
    settings.WILLO_DECISION_UNDO_SECONDS = 0


def _decide(scope, user, status="Accepted", key="p1"):
    return participant_decide(
        scope=scope, participant_key=key, status=status, actor=user, ip_address="192.0.2.7"
    )


def _time_passes(decision: Decision) -> None:
    """Its backoff (or window) is over: as if the clock had moved on to its next attempt."""
    Decision.objects.filter(pk=decision.pk).update(next_attempt_at=timezone.now())


def _sweep_until_done(decision: Decision) -> Decision:
    """What beat does while time passes: sweep whenever the next attempt is due."""
    for _ in range(MAX_ATTEMPTS + 2):
        decision.refresh_from_db()
        if decision.state != Decision.State.PENDING:
            break
        _time_passes(decision)
        decisions_sweep()
    decision.refresh_from_db()
    return decision


def test_deciding_records_the_decision_and_calls_no_one(scope, candidate, fake_willo, admin_user):
    decision = _decide(scope, admin_user)

    decision.refresh_from_db()
    assert decision.state == Decision.State.PENDING
    assert decision.in_undo_window
    assert 9 <= decision.seconds_to_send <= 10
    assert (decision.participant_name, decision.actor_username, decision.ip_address) == (
        "Ada",
        admin_user.username,
        "192.0.2.7",
    )
    assert fake_willo.requests == []


def test_the_sweep_sends_nothing_inside_the_undo_window(scope, candidate, fake_willo, admin_user):
    decision = _decide(scope, admin_user)

    assert decisions_sweep() == 0

    decision.refresh_from_db()
    assert decision.state == Decision.State.PENDING
    assert fake_willo.requests == []


def test_once_the_window_has_passed_the_sweep_sends_it_and_updates_the_cache(
    scope, candidate, fake_willo, admin_user
):
    fake_willo.on("PATCH", "participants/p1/", reply(200, UPDATED))
    decision = _decide(scope, admin_user)
    _time_passes(decision)

    assert decisions_sweep() == 1

    decision.refresh_from_db()
    assert decision.state == Decision.State.SENT
    assert decision.sent_at is not None
    assert decision.sending_until is None
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Accepted"
    assert fake_willo.calls("PATCH")[0].read() == b'{"status":"Accepted"}'


def test_willos_answer_to_the_patch_is_stored_through_the_cache_writer(
    scope, candidate, fake_willo, admin_user, no_window
):
    scope.team.key_verified_user_email = "recruiter@acme.example"
    scope.team.save()
    answer = {**UPDATED, "name": "Ada Lovelace", "custom_id": "can_7"}  # renamed in Willo
    fake_willo.on("PATCH", "participants/p1/", reply(200, answer))
    before = timezone.now()
    _decide(scope, admin_user)

    decisions_sweep()

    row = CachedParticipant.objects.get(pk=candidate.pk)
    assert (row.status, row.name, row.custom_id) == ("Accepted", "Ada Lovelace", "can_7")
    # The PATCH's answer says no date: the attempt's start, by the key's verified user.
    assert before <= row.status_changed_at <= timezone.now()
    assert row.status_changed_by == "recruiter@acme.example"
    assert row.interview_id == candidate.interview_id


def _sent_while(scope, user, fake_willo, meanwhile) -> Decision:
    """Decide and send, ``meanwhile`` happening to the cache while Willo takes the PATCH."""

    def patched(request):
        meanwhile()
        return httpx.Response(200, json=UPDATED)

    fake_willo.on("PATCH", "participants/p1/", patched)
    decision = _decide(scope, user)
    decisions_sweep()
    decision.refresh_from_db()
    return decision


def test_a_status_change_the_cache_learnt_during_the_send_is_kept(
    scope, candidate, fake_willo, admin_user, no_window
):
    later = timezone.now() + timedelta(minutes=5)
    rows = CachedParticipant.objects.filter(pk=candidate.pk)

    # A webhook of a colleague's rejection lands meanwhile.
    decision = _sent_while(
        scope,
        admin_user,
        fake_willo,
        lambda: rows.update(status="Rejected", status_changed_at=later),
    )

    assert decision.state == Decision.State.SENT
    row = CachedParticipant.objects.get(pk=candidate.pk)
    assert (row.status, row.status_changed_at) == ("Rejected", later)


def test_the_answer_for_a_candidate_erased_meanwhile_adds_no_one(
    scope, candidate, fake_willo, admin_user, no_window
):
    rows = CachedParticipant.objects.filter(pk=candidate.pk)

    decision = _sent_while(scope, admin_user, fake_willo, rows.delete)

    assert decision.state == Decision.State.SENT
    assert not CachedParticipant.objects.filter(team=scope.team, key="p1").exists()


def test_undo_within_the_window_means_willo_never_hears_of_it(
    scope, candidate, fake_willo, admin_user, no_window
):
    decision = _decide(scope, admin_user)

    undone = decision_undo(scope=scope, decision_id=decision.pk, actor=admin_user)
    decisions_sweep()

    assert undone.state == Decision.State.UNDONE
    assert undone.undone_by_username == admin_user.username
    assert fake_willo.requests == []
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Completed"


def test_a_sent_decision_cannot_be_undone_only_changed(
    scope, candidate, fake_willo, admin_user, no_window
):
    fake_willo.on(
        "PATCH",
        "participants/p1/",
        lambda request: reply(200, {"key": "p1", "status": request.read().decode()[11:-2]}),
    )
    accepted = _decide(scope, admin_user)
    decisions_sweep()

    with pytest.raises(DecisionNotUndoable, match="Change the decision instead"):
        decision_undo(scope=scope, decision_id=accepted.pk, actor=admin_user)
    rejected = _decide(scope, admin_user, status="Rejected")
    decisions_sweep()

    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert (accepted.state, rejected.state) == (Decision.State.SENT, Decision.State.SENT)
    assert [r.read() for r in fake_willo.calls("PATCH")] == [
        b'{"status":"Accepted"}',
        b'{"status":"Rejected"}',
    ]
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Rejected"


def test_a_decision_being_sent_cannot_be_undone(scope, candidate, admin_user, no_window):
    decision = _decide(scope, admin_user)
    claimed = service._claim(decision.pk)  # a worker has it in hand

    assert claimed is not None
    with pytest.raises(DecisionNotUndoable, match="being sent"):
        decision_undo(scope=scope, decision_id=decision.pk, actor=admin_user)


def test_a_new_decision_replaces_one_not_sent_yet(scope, candidate, fake_willo, admin_user):
    fake_willo.on("PATCH", "participants/p1/", reply(200, {"key": "p1", "status": "Rejected"}))
    first = _decide(scope, admin_user, status="Accepted")
    second = _decide(scope, admin_user, status="Rejected")
    _time_passes(second)

    decisions_sweep()

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == Decision.State.SUPERSEDED
    assert second.state == Decision.State.SENT
    assert [r.read() for r in fake_willo.calls("PATCH")] == [b'{"status":"Rejected"}']


def test_a_new_decision_waits_for_an_earlier_one_in_flight(scope, candidate, admin_user, no_window):
    first = _decide(scope, admin_user, status="Accepted")
    assert service._claim(first.pk) is not None  # its attempt is on its way to Willo
    second = _decide(scope, admin_user, status="Rejected")

    assert service._claim(second.pk) is None

    first.refresh_from_db()
    assert first.state == Decision.State.SUPERSEDED
    assert first.sending_until is not None


def test_willo_down_then_up_it_is_sent_exactly_once(
    scope, candidate, fake_willo, admin_user, no_window
):
    fake_willo.on(
        "PATCH",
        "participants/p1/",
        httpx.ConnectError("connection refused"),
        reply(503, {"detail": "down"}),
        reply(200, UPDATED),
    )
    fake_willo.on("GET", "participants/p1/", reply(200, {"key": "p1", "status": "Completed"}))
    decision = _decide(scope, admin_user)

    decisions_sweep()
    decision.refresh_from_db()
    assert decision.state == Decision.State.PENDING
    assert decision.last_error == "Willo is not answering."
    assert decision.next_attempt_at > timezone.now()
    assert decisions_sweep() == 0  # not before its backoff

    decision = _sweep_until_done(decision)

    assert decision.state == Decision.State.SENT
    assert decision.attempts == 3
    statuses = [r.read() for r in fake_willo.calls("PATCH")]
    assert len(statuses) == 3  # refused at connect, a 503, then accepted: one reached Willo
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Accepted"


def test_it_waits_as_long_as_willo_asks(scope, candidate, fake_willo, admin_user, no_window):
    fake_willo.on(
        "PATCH",
        "participants/p1/",
        reply(429, {"detail": "Throttled."}, **{"Retry-After": "70"}),
    )
    decision = _decide(scope, admin_user)
    before = timezone.now()

    outcome = decision_send(decision_id=decision.pk)

    assert outcome.retry
    assert outcome.countdown == 70.0
    decision.refresh_from_db()
    assert decision.last_error == "Willo is rate limiting us."
    assert before + timedelta(seconds=69) < decision.next_attempt_at
    assert decision.next_attempt_at < timezone.now() + timedelta(seconds=71)


def test_with_a_worker_the_retry_is_enqueued_with_its_backoff(
    scope, candidate, fake_willo, admin_user, monkeypatch, django_capture_on_commit_callbacks
):
    enqueued: list[dict] = []

    class Recorder:
        app = tasks.decision_send_task.app

        @staticmethod
        def apply_async(**options):
            enqueued.append(options)

    monkeypatch.setattr(tasks, "decision_send_task", Recorder)
    monkeypatch.setitem(Recorder.app.conf, "task_always_eager", False)
    fake_willo.on(
        "PATCH", "participants/p1/", reply(429, {"detail": "Throttled."}, **{"Retry-After": "7"})
    )

    with django_capture_on_commit_callbacks(execute=True):
        decision = _decide(scope, admin_user)  # its send, when the window closes
        _time_passes(decision)
        decision_send(decision_id=decision.pk)  # its retry, after Willo's Retry-After

    assert enqueued == [
        {"args": [decision.pk], "countdown": 10},
        {"args": [decision.pk], "countdown": 7.0},
    ]


def test_it_fails_a_refused_decision_with_willos_message(
    scope, candidate, fake_willo, admin_user, no_window
):
    fake_willo.on(
        "PATCH",
        "participants/p1/",
        reply(400, {"status": ["Participant has not completed the interview."]}),
    )
    decision = _decide(scope, admin_user)

    decisions_sweep()

    decision.refresh_from_db()
    assert decision.state == Decision.State.FAILED
    assert "Participant has not completed the interview." in decision.last_error
    assert decision.next_attempt_at is None
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Completed"


def test_it_rereads_after_an_ambiguous_timeout_and_does_not_resend(
    scope, candidate, fake_willo, admin_user, no_window
):
    fake_willo.on("PATCH", "participants/p1/", httpx.ReadTimeout("read timed out"))
    fake_willo.on(
        "GET",
        "participants/p1/",
        reply(200, {"key": "p1", "status": "Accepted", "updated_at": "2026-11-02T10:00:00Z"}),
    )
    decision = _decide(scope, admin_user)

    decision = _sweep_until_done(decision)

    assert decision.state == Decision.State.SENT
    assert len(fake_willo.calls("PATCH")) == 1
    assert len(fake_willo.calls("GET")) == 1
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Accepted"


def test_it_resends_after_an_ambiguous_timeout_when_the_status_did_not_take(
    scope, candidate, fake_willo, admin_user, no_window
):
    fake_willo.on(
        "PATCH", "participants/p1/", httpx.ReadTimeout("read timed out"), reply(200, UPDATED)
    )
    fake_willo.on("GET", "participants/p1/", reply(200, {"key": "p1", "status": "Completed"}))
    decision = _decide(scope, admin_user)

    decision = _sweep_until_done(decision)

    assert decision.state == Decision.State.SENT
    assert len(fake_willo.calls("PATCH")) == 2


def test_a_worker_killed_mid_send_is_followed_by_a_read_not_a_second_send(
    scope, candidate, fake_willo, admin_user, no_window
):
    # The killed worker's PATCH reached Willo; it never recorded the answer.
    fake_willo.on("GET", "participants/p1/", reply(200, {"key": "p1", "status": "Accepted"}))
    fake_willo.on("PATCH", "participants/p1/", reply(200, UPDATED))
    decision = _decide(scope, admin_user)
    assert service._claim(decision.pk) is not None
    assert decisions_sweep() == 0  # its claim has not run out: nobody else sends it

    Decision.objects.filter(pk=decision.pk).update(sending_until=timezone.now())
    decisions_sweep()

    decision.refresh_from_db()
    assert decision.state == Decision.State.SENT
    assert decision.attempts == 2
    assert fake_willo.calls("PATCH") == []
    assert len(fake_willo.calls("GET")) == 1


def test_it_fails_after_the_last_attempt(scope, candidate, fake_willo, admin_user, no_window):
    fake_willo.on("PATCH", "participants/p1/", reply(500, {"detail": "boom"}))
    fake_willo.on("GET", "participants/p1/", reply(500, {"detail": "boom"}))
    decision = _decide(scope, admin_user)

    decision = _sweep_until_done(decision)

    assert decision.state == Decision.State.FAILED
    assert decision.attempts == MAX_ATTEMPTS
    assert decision.last_error == (
        f"Willo did not confirm it after {MAX_ATTEMPTS} attempts: Willo failed (HTTP 500)."
    )
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Completed"


def test_it_decides_several_candidates_at_once(
    scope, fake_willo, admin_user, no_window, django_assert_max_num_queries
):
    job = cached_interview(scope)
    rows = [cached_participant(scope, job, key=f"p{n}") for n in range(1, 51)]
    fake_willo.on(
        "PATCH",
        "participants/",
        lambda request: reply(200, {"key": request.url.path.split("/")[-2], "status": "Rejected"}),
    )

    # Not a query (or a call to Willo) per candidate; one asks whether the member reviews blind,
    # one cancels the emails of their earlier decisions.
    with django_assert_max_num_queries(8):
        decisions = participants_decide(
            scope=scope,
            participant_keys=[row.key for row in rows] + ["p1"],
            status="Rejected",
            actor=admin_user,
            ip_address=None,
        )
    assert fake_willo.requests == []
    decisions_sweep()

    assert [d.participant_key for d in decisions] == [row.key for row in rows]
    assert set(Decision.objects.values_list("state", flat=True)) == {"sent"}
    assert set(CachedParticipant.objects.values_list("status", flat=True)) == {"Rejected"}
    assert len(fake_willo.calls("PATCH")) == 50


def test_one_refused_candidate_does_not_hold_up_the_others(
    scope, fake_willo, admin_user, no_window
):
    job = cached_interview(scope)
    for key in ("p1", "p2"):
        cached_participant(scope, job, key=key)
    fake_willo.on("PATCH", "participants/p1/", reply(404, {"detail": "Not found."}))
    fake_willo.on("PATCH", "participants/p2/", reply(200, {"key": "p2", "status": "Accepted"}))

    participants_decide(
        scope=scope, participant_keys=["p1", "p2"], status="Accepted", actor=admin_user,
        ip_address=None,
    )  # fmt: skip
    decisions_sweep()

    assert dict(Decision.objects.values_list("participant_key", "state")) == {
        "p1": "failed",
        "p2": "sent",
    }


def test_a_failed_decision_is_sent_again_on_retry_after_reading_willo(
    scope, candidate, fake_willo, admin_user, no_window
):
    fake_willo.on(
        "PATCH",
        "participants/p1/",
        reply(403, {"detail": "You do not have permission."}),
        reply(200, UPDATED),
    )
    fake_willo.on("GET", "participants/p1/", reply(200, {"key": "p1", "status": "Completed"}))
    failed = _decide(scope, admin_user)
    decisions_sweep()
    failed.refresh_from_db()
    assert failed.state == Decision.State.FAILED

    retried = decision_retry(scope=scope, decision_id=failed.pk, actor=admin_user)
    assert retried.state == Decision.State.PENDING
    decisions_sweep()

    retried.refresh_from_db()
    assert retried.state == Decision.State.SENT
    assert retried.last_error == ""
    assert len(fake_willo.calls("GET")) == 1
    assert CachedParticipant.objects.get(pk=candidate.pk).status == "Accepted"


def test_the_operator_sends_what_is_waiting(scope, candidate, fake_willo, admin_user, no_window):
    fake_willo.on("PATCH", "participants/p1/", reply(503, {"detail": "down"}), reply(200, UPDATED))
    fake_willo.on("GET", "participants/p1/", reply(200, {"key": "p1", "status": "Completed"}))
    decision = _decide(scope, admin_user)
    decisions_sweep()  # 503: its next attempt is some way off
    decision.refresh_from_db()
    assert decision.next_attempt_at > timezone.now()

    states = decisions_send_waiting(team=scope.team)

    assert states == {"sent": 1}
    decision.refresh_from_db()
    assert decision.state == Decision.State.SENT


def test_the_operator_leaves_decisions_in_their_undo_window(
    scope, candidate, fake_willo, admin_user
):
    _decide(scope, admin_user)

    assert decisions_send_waiting(team=None) == {}
    assert fake_willo.requests == []


def test_it_does_not_retry_or_undo_another_teams_decision(scope, other_team, admin_user):
    theirs = Decision.objects.create(
        team=other_team, participant_key="p1", status="Accepted", state=Decision.State.FAILED
    )

    with pytest.raises(DecisionNotFound):
        decision_retry(scope=scope, decision_id=theirs.pk, actor=admin_user)
    with pytest.raises(DecisionNotFound):
        decision_undo(scope=scope, decision_id=theirs.pk, actor=admin_user)


def test_it_refuses_a_status_that_is_not_a_decision(scope, admin_user):
    with pytest.raises(ValueError, match="Accepted"):
        _decide(scope, admin_user, status="Completed")
    assert not Decision.objects.exists()


def test_a_decision_is_sent_through_the_sandbox_once(sandbox, admin_user, no_window):
    participant = sandbox.organisation.participants.filter(status="Completed").first()
    from willo_integration.services.participants import participant_refresh

    participant_refresh(scope=sandbox.scope, key=participant.key)
    decision = participant_decide(
        scope=sandbox.scope,
        participant_key=participant.key,
        status="Rejected",
        actor=admin_user,
        ip_address=None,
    )

    decisions_sweep()
    decisions_sweep()

    decision.refresh_from_db()
    participant.refresh_from_db()
    assert decision.state == Decision.State.SENT
    assert participant.status == "Rejected"


def test_willo_decisions_retry_sends_what_waits_and_says_how_it_went(
    scope, other_team, candidate, fake_willo, admin_user, no_window
):
    from io import StringIO

    from django.core.management import CommandError, call_command

    fake_willo.on("PATCH", "participants/p1/", reply(503, {"detail": "down"}), reply(200, UPDATED))
    fake_willo.on("GET", "participants/p1/", reply(200, {"key": "p1", "status": "Completed"}))
    mine = _decide(scope, admin_user)
    decisions_sweep()  # Willo failed: waiting for its backoff
    theirs = Decision.objects.create(
        team=other_team, participant_key="q1", status="Accepted", state=Decision.State.FAILED
    )
    out = StringIO()

    call_command("willo_decisions", "retry", "--team", scope.team.slug, stdout=out)

    assert out.getvalue() == f"Sent what was waiting ({scope.team.name}):\n  1 sent\n"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, theirs.state) == ("sent", "failed")  # only the team asked for
    with pytest.raises(CommandError, match="No team with the slug 'nope'"):
        call_command("willo_decisions", "retry", "--team", "nope")
    out = StringIO()
    call_command("willo_decisions", "retry", "--team", scope.team.slug, stdout=out)
    assert out.getvalue() == f"No decision is waiting to reach Willo ({scope.team.name}).\n"


def test_undo_all_undoes_the_unsent_and_says_why_not_for_the_others(
    scope, fake_willo, admin_user, no_window
):
    interview = cached_interview(scope)
    for key, name in (("p1", "Ada"), ("p2", "Ben")):
        cached_participant(scope, interview, key=key, name=name, status="Completed")
    fake_willo.on("PATCH", "participants/p1/", reply(200, {**UPDATED, "status": "Rejected"}))
    first, second = participants_decide(
        scope=scope,
        participant_keys=["p1", "p2"],
        status="Rejected",
        actor=admin_user,
        ip_address=None,
    )
    later = timezone.now() + timedelta(hours=1)  # Ben's window is still open
    Decision.objects.filter(pk=second.pk).update(send_after=later, next_attempt_at=later)
    decisions_sweep()

    outcome = decisions_undo(
        scope=scope, decision_ids=[first.pk, second.pk, 10_000], actor=admin_user
    )

    assert [d.pk for d in outcome.undone] == [second.pk]
    assert [(d.pk, reason) for d, reason in outcome.refused] == [
        (first.pk, "Too late to undo: Willo has the rejection. Change the decision instead.")
    ]
    assert len(fake_willo.calls("PATCH")) == 1


def test_undo_all_of_no_decision_in_the_scope_is_404(scope, other_team, admin_user):
    theirs = Decision.objects.create(team=other_team, participant_key="p1", status="Rejected")

    with pytest.raises(DecisionNotFound):
        decisions_undo(scope=scope, decision_ids=[theirs.pk], actor=admin_user)
