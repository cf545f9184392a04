"""Decisions with a real worker and beat on Redis, sent to the sandbox over HTTP: Willo down
then up, Undo in the window, a worker killed mid-send, a bulk decision while Willo is down.

The sandbox is served by the live server in this process, so its knobs and its request
log are this process's: what a test sets there, the worker's requests meet.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.urls import reverse

from dashboard.models import Decision, Membership
from tests.e2e.conftest import sandbox_owner_team
from tests.e2e.test_recruiter_flow import northwind  # noqa: F401 - a fixture
from tests.services.conftest import Worker, wait_for
from willo_integration.models import CachedInterview, CachedParticipant
from willo_integration.sandbox import knobs, request_log, seed
from willo_integration.sandbox.models import Organisation
from willo_integration.sandbox.models import Participant as SandboxParticipant
from willo_integration.sandbox.request_log import Served
from willo_integration.services.decisions import SWEEP_GRACE, decision_undo, participants_decide
from willo_integration.services.refresh import interview_refresh, interviews_refresh
from willo_integration.services.scope import Scope

pytestmark = pytest.mark.django_db(transaction=True)

# The worker's beat sweeps every second; its Willo timeout of 2 s makes a claim's lease
# (3 timeouts + 5 s) run out in 11 s.
QUICK = {"WILLO_DECISION_SWEEP_SECONDS": "1", "WILLO_TIMEOUT_SECONDS": "2"}


@pytest.fixture(autouse=True)
def _quick_reads(settings):
    """The set-up reads each job's candidates from the sandbox as fast as the worker may."""
    settings.WILLO_REQUESTS_PER_SECOND = float(Worker.REQUESTS_PER_SECOND)


def _worker(broker: str, live_server, settings, *, undo_seconds: int) -> Worker:
    """A worker and its beat, for decisions recorded here with an undo window this long."""
    settings.WILLO_DECISION_UNDO_SECONDS = undo_seconds
    env = {**QUICK, "WILLO_DECISION_UNDO_SECONDS": str(undo_seconds)}
    return Worker(broker, live_server.url, beat=True, env=env)


def _decide(team, keys: list[str], status: str = "Accepted") -> list[Decision]:
    return participants_decide(
        scope=Scope(team=team), participant_keys=keys, status=status, actor=None, ip_address=None
    )


def _for(served: list[Served], key: str) -> list[Served]:
    """The requests the sandbox was sent for the candidate ``key``, in arrival order."""
    return [s for s in list(served) if s.path.endswith(f"/participants/{key}/")]


def _to(served: list[Served], method: str, key: str) -> list[Served]:
    return [s for s in _for(served, key) if s.method == method]


def _answered(served: list[Served], method: str, key: str) -> list[Served]:
    return [s for s in _to(served, method, key) if s.status is not None]


def _classes(served: list[Served]) -> list[tuple[str, int]]:
    """Each request's method and the class of its answer: ("PATCH", 5) for a 5xx."""
    return [(s.method, (s.status or 0) // 100) for s in served]


def _finished(worker: Worker, text: str) -> str:
    """The worker's log lines of tasks that finished, containing ``text``."""
    lines = worker.log().splitlines(keepends=True)
    return "".join(line for line in lines if " succeeded in " in line and text in line)


def _state(decision: Decision) -> str:
    decision.refresh_from_db()
    return decision.state


def _sandbox_status(key: str) -> str:
    return SandboxParticipant.objects.get(key=key).status


def test_willo_down_then_up_the_decision_is_sent_exactly_once(
    redis_broker,
    live_server,
    northwind,  # noqa: F811
    settings,
):
    team, job = northwind
    key = job.participants.filter(status="Completed").first().key
    worker = _worker(redis_broker, live_server, settings, undo_seconds=1).start()
    try:
        with request_log.recording() as served:
            with knobs.override(error_rate=1.0):
                (decision,) = _decide(team, [key])
                wait_for(lambda: _answered(served, "PATCH", key), timeout=30)
            # Willo is up again: the retry after the backoff sends it.
            wait_for(lambda: _state(decision) == Decision.State.SENT, timeout=30)
    finally:
        worker.stop()

    # Refused, then read (it might have reached Willo) and sent: one PATCH that took.
    assert _classes(_for(served, key)) == [("PATCH", 5), ("GET", 2), ("PATCH", 2)]
    assert decision.attempts == 2
    assert _sandbox_status(key) == "Accepted"
    assert CachedParticipant.objects.get(team=team, key=key).status == "Accepted"


def test_undo_within_the_window_sends_nothing(
    redis_broker,
    live_server,
    northwind,  # noqa: F811
    settings,
):
    team, job = northwind
    key = job.participants.filter(status="Completed").first().key
    worker = _worker(redis_broker, live_server, settings, undo_seconds=3).start()
    try:
        with request_log.recording() as served:
            (decision,) = _decide(team, [key])
            decision_undo(scope=Scope(team=team), decision_id=decision.pk, actor=None)
            # The decision's own task, once the window is over, finds nothing to send...
            wait_for(lambda: "decision_send_task" in _finished(worker, "'not claimed'"))
            # ... and neither does the sweep after it.
            sweeps = _finished(worker, "decision_sweep_task").count("\n")
            wait_for(lambda: _finished(worker, "decision_sweep_task").count("\n") > sweeps)
    finally:
        worker.stop()

    assert _for(served, key) == []
    assert _state(decision) == Decision.State.UNDONE
    assert _sandbox_status(key) == "Completed"


def test_a_worker_killed_mid_send_loses_nothing_and_sends_once(
    redis_broker,
    live_server,
    northwind,  # noqa: F811
    settings,
):
    team, job = northwind
    key = job.participants.filter(status="Completed").first().key
    first = _worker(redis_broker, live_server, settings, undo_seconds=1)
    second = _worker(redis_broker, live_server, settings, undo_seconds=1)
    with request_log.recording() as served:
        try:
            with knobs.override(latency_ms=3000):  # the sandbox is slow: the PATCH is in flight
                first.start()
                (decision,) = _decide(team, [key])
                wait_for(lambda: _to(served, "PATCH", key), timeout=30, every=0.05)
                decision.refresh_from_db()
                assert decision.sending_until is not None  # claimed
                first.kill()
            # The killed worker's PATCH reached Willo, which applied it; no one heard the answer.
            wait_for(lambda: _answered(served, "PATCH", key), timeout=10)
            assert _sandbox_status(key) == "Accepted"
            decision.refresh_from_db()
            assert (decision.state, decision.sending_until is not None) == ("pending", True)

            # Its task died unacknowledged with the worker; the beat's sweep takes what is
            # overdue by SWEEP_GRACE and whose lease has run out: as if the grace had passed.
            Decision.objects.filter(pk=decision.pk).update(
                next_attempt_at=F("next_attempt_at") - SWEEP_GRACE
            )
            second.start()
            wait_for(lambda: _state(decision) == Decision.State.SENT, timeout=40)
        finally:
            first.kill()
            second.stop()

    # The new attempt read the candidate, found the decision there and did not send it again.
    assert [(s.method, s.status) for s in _for(served, key)] == [("PATCH", 200), ("GET", 200)]
    log = second.log()
    assert f"decision {decision.pk}: the last attempt did not finish; reading Willo first" in log
    assert f"decision {decision.pk} had already reached Willo; not sent again" in log
    assert decision.attempts == 2
    assert CachedParticipant.objects.get(team=team, key=key).status == "Accepted"


@pytest.fixture
def crowded_job(live_server, settings):
    """A sandbox team's job with (at least) 50 candidates in the cache, their keys, and a
    recruiter of the team."""
    team = sandbox_owner_team(live_server, settings, "Crowded Hiring", participants=60)
    organisation = Organisation.objects.get(name=seed.DEMO_ORGANISATION, parent=None)
    interview = organisation.interviews.order_by("id").first()
    fifty = organisation.participants.order_by("id").values_list("pk", flat=True)[:50]
    moved = SandboxParticipant.objects.filter(pk__in=list(fifty))
    moved.update(interview=interview, status="Completed")
    keys = list(moved.values_list("key", flat=True))
    scope = Scope(team=team)
    interviews_refresh(scope=scope)
    interview_refresh(scope=scope, key=interview.key)
    job = CachedInterview.objects.get(team=team, key=interview.key)
    user = get_user_model().objects.create_user(username="rita", password="rita-password-1")
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    assert job.participants.filter(key__in=keys).count() == 50
    return team, job, keys, user


def test_a_bulk_decision_while_willo_is_down_is_recorded_at_once_and_sent_when_it_is_up(
    redis_broker, live_server, crowded_job, client, settings
):
    team, job, keys, user = crowded_job
    worker = _worker(redis_broker, live_server, settings, undo_seconds=2).start()
    client.force_login(user)
    url = reverse(
        "dashboard:participants_decide_bulk",
        kwargs={"slug": team.slug, "interview_key": job.key},
    )
    decisions = Decision.objects.filter(team=team)
    try:
        with request_log.recording() as served:
            with knobs.override(error_rate=1.0):
                with request_log.recording() as during_post:
                    response = client.post(url, {"keys": keys, "status": "Rejected"})
                assert 200 <= response.status_code < 400
                assert during_post == []
                assert list(decisions.values_list("state", flat=True)) == ["pending"] * 50
                # Every first attempt meets a Willo that fails.
                wait_for(
                    lambda: decisions.filter(attempts__gte=1, sending_until=None).count() == 50,
                    timeout=30,
                )
            wait_for(lambda: decisions.filter(state=Decision.State.SENT).count() == 50, timeout=60)
    finally:
        worker.stop()

    for key in keys:
        patches = _to(served, "PATCH", key)
        assert [p.status for p in patches if p.status < 500] == [200], key
    statuses = SandboxParticipant.objects.filter(key__in=keys).values_list("status", flat=True)
    assert set(statuses) == {"Rejected"}
