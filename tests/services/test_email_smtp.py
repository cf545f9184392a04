"""The outbox with real mail: Celery worker processes on Redis send through a real SMTP server
(aiosmtpd on loopback) and the test reads what it received. A rejection arrives once with
its headers and both parts; two workers and a doubled, redelivered task still send it once;
a refusal fails it or tries again; a connection lost after the message leaves it unknown,
never sent again; a server that never answers queues it for a retry.

The worker reads EMAIL_URL and EMAIL_TIMEOUT from its environment (dashboard/settings.py);
this process only records emails and drains, publishing to the broker as beat would.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.utils import timezone

from dashboard.models import Decision, EmailTemplate, OutboundEmail
from tests.services.conftest import Worker, wait_for
from tests.willo_integration.services.conftest import (
    cached_interview,
    cached_participant,
    make_team,
)
from willo_integration.services.decision_emails import decision_emails_queue
from willo_integration.services.email_templates import template_save
from willo_integration.services.outbox import outbox_drain
from willo_integration.services.scope import Scope
from willo_integration.tasks import email_send_task

pytestmark = pytest.mark.django_db(transaction=True)

State = OutboundEmail.State
EMAIL_TIMEOUT = 2  # seconds; a claim's lease is 3 timeouts + 10 s
NO_WILLO = "http://127.0.0.1:9"  # these workers never call Willo
SENDER = "dashboard@acme.example"


class Inbox:
    """An SMTP server's handler: what it received, and how it answers. ``rcpt_reply``
    refuses every recipient with that reply; ``after_data`` is "hang up" (close without
    answering) or "stall" (answer only after the client's timeout)."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rcpt_reply = ""
        self.after_data = ""
        self.url = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.received.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        if self.after_data == "hang up":
            server.transport.close()
        elif self.after_data == "stall":
            await asyncio.sleep(EMAIL_TIMEOUT + 1)
        else:
            await asyncio.sleep(0.3)  # long enough for another worker to try meanwhile
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if address in str(m["To"])]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox()
    server = Controller(handler, hostname="127.0.0.1", port=_free_port())
    server.start()
    handler.url = f"smtp://127.0.0.1:{server.port}"
    yield handler
    server.stop()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A mail server that takes the connection and never says a word (no greeting)."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(8)
        yield f"smtp://127.0.0.1:{listening.getsockname()[1]}"


def _worker(broker: str, email_url: str, *, beat: bool = False) -> Worker:
    env = {
        "EMAIL_URL": email_url,
        "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
        "DEFAULT_FROM_EMAIL": f"Willo dashboard <{SENDER}>",
        "EMAIL_OUTBOX_SECONDS": "1",  # its beat drains every second
    }
    return Worker(broker, NO_WILLO, beat=beat, env=env)


def _ready(*workers: Worker) -> None:
    for worker in workers:
        wait_for(lambda w=worker: " ready." in w.log(), timeout=30)


def _finished(workers: list[Worker], task: str) -> list[str]:
    """The log lines of ``task``'s runs that finished, in all of ``workers``."""
    return [
        line
        for worker in workers
        for line in worker.log().splitlines()
        if f"{task}[" in line and " succeeded in " in line
    ]


@pytest.fixture
def rejection() -> OutboundEmail:
    """Ada's rejection, which Willo has, and its email queued to go at once."""
    team = make_team("Acme Hiring", "acme-test-willo-key-00000000001")
    team.email_sender_name = "Acme Talent"
    team.email_reply_to = "jobs@acme.example"
    team.save()
    scope = Scope(team=team)
    ada = cached_participant(
        scope,
        cached_interview(scope, key="job1", title="Barista"),
        key="p1",
        name="Ada Lovelace",
        email="ada@example.com",
    )
    grace = get_user_model().objects.create_user(
        username="grace", first_name="Grace", last_name="Hopper"
    )
    template_save(
        team=team,
        kind=EmailTemplate.Kind.REJECTION,
        name="Standard",
        subject="Your application for {job_title} at {company_name}",
        body="Dear {candidate_first_name},\n\nThank you for applying.\n\n{recruiter_name}",
        is_default=True,
        actor=grace,
    )
    decision = Decision.objects.create(
        team=team,
        participant_key=ada.key,
        participant_name=ada.name,
        status=Decision.Status.REJECTED,
        actor=grace,
        state=Decision.State.SENT,
        sent_at=timezone.now(),
    )
    (queued,) = decision_emails_queue(
        scope=scope, decisions=[decision], delay_hours=0, actor=grace
    ).queued
    return queued


def _state(row: OutboundEmail) -> str:
    row.refresh_from_db()
    return row.state


def test_a_queued_rejection_arrives_once_with_its_headers_and_both_parts(
    redis_broker, inbox, rejection
):
    worker = _worker(redis_broker, inbox.url, beat=True).start()
    try:
        wait_for(lambda: _state(rejection) == State.SENT, timeout=30)
    finally:
        worker.stop()

    (message,) = inbox.received
    assert inbox.envelopes == [(SENDER, ["ada@example.com"])]
    assert message["From"] == f"Acme Talent <{SENDER}>"
    assert message["To"] == "Ada Lovelace <ada@example.com>"
    assert message["Reply-To"] == "jobs@acme.example"
    assert message["Subject"] == "Your application for Barista at Acme Hiring"
    assert message["Message-ID"] == rejection.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text.splitlines() == ["Dear Ada,", "", "Thank you for applying.", "", "Grace Hopper"]
    assert "<p>Dear Ada,</p>" in html
    assert "{" not in text + html + message["Subject"]


def test_two_workers_and_a_doubled_redelivered_task_send_it_once(redis_broker, inbox, rejection):
    workers = [_worker(redis_broker, inbox.url).start() for _ in range(2)]
    try:
        _ready(*workers)
        for _ in range(4):
            email_send_task.apply_async(args=[rejection.pk])
        for _ in range(2):  # a redelivery: the same task again
            email_send_task.apply_async(args=[rejection.pk], task_id=f"email-{rejection.pk}")
        wait_for(lambda: len(_finished(workers, "email_send_task")) == 6, timeout=40)
    finally:
        for worker in workers:
            worker.stop()

    outcomes = sorted(line.rpartition(": ")[2] for line in _finished(workers, "email_send_task"))
    assert outcomes == ["'not claimed'"] * 5 + ["'sent'"]
    assert len(inbox.to("ada@example.com")) == 1
    assert _state(rejection) == State.SENT
    assert rejection.attempts == 1


def test_a_recipient_refused_for_good_fails_the_email_with_the_reason(
    redis_broker, inbox, rejection
):
    inbox.rcpt_reply = "550 5.1.1 No such user here"
    worker = _worker(redis_broker, inbox.url).start()
    try:
        outbox_drain()
        wait_for(lambda: _state(rejection) == State.FAILED, timeout=30)
    finally:
        worker.stop()

    assert rejection.last_error == (
        "The mail server refused the address: 550 5.1.1 No such user here"
    )
    assert rejection.next_attempt_at is None
    assert inbox.received == []


def test_a_recipient_refused_for_now_is_tried_again_and_sent_once_accepted(
    redis_broker, inbox, rejection
):
    inbox.rcpt_reply = "451 4.3.0 Try again later"
    worker = _worker(redis_broker, inbox.url).start()
    try:
        outbox_drain()
        wait_for(lambda: _state(rejection) == State.QUEUED and rejection.attempts == 1)
        assert rejection.last_error == (
            "The mail server refused the address: 451 4.3.0 Try again later"
        )
        assert rejection.next_attempt_at > rejection.updated_at  # a backoff from the attempt
        assert inbox.received == []

        inbox.rcpt_reply = ""
        # Its backoff is over: the next drain hands it to the worker again.
        OutboundEmail.objects.filter(pk=rejection.pk).update(next_attempt_at=timezone.now())
        outbox_drain()
        wait_for(lambda: _state(rejection) == State.SENT, timeout=30)
    finally:
        worker.stop()

    assert (rejection.attempts, rejection.last_error) == (2, "")
    assert len(inbox.to("ada@example.com")) == 1


@pytest.mark.parametrize("after_data", ["hang up", "stall"])
def test_a_connection_lost_after_the_message_leaves_it_unknown_and_never_sent_again(
    redis_broker, inbox, rejection, after_data
):
    inbox.after_data = after_data
    worker = _worker(redis_broker, inbox.url).start()
    try:
        outbox_drain()
        wait_for(lambda: _state(rejection) == State.UNKNOWN, timeout=30)
        # Later drains hand it to no one, and a stray task finds nothing to claim.
        assert outbox_drain().enqueued == 0
        email_send_task.apply_async(args=[rejection.pk])
        wait_for(lambda: "'not claimed'" in "".join(_finished([worker], "email_send_task")))
    finally:
        worker.stop()

    assert "it may have gone out (SMTPServerDisconnected)" in rejection.last_error
    assert _state(rejection) == State.UNKNOWN
    assert len(inbox.received) == 1


def test_a_server_that_never_answers_queues_it_for_a_retry_not_unknown(
    redis_broker, silent_server, rejection
):
    worker = _worker(redis_broker, silent_server).start()
    try:
        outbox_drain()
        wait_for(lambda: _state(rejection) == State.QUEUED and rejection.attempts == 1)
    finally:
        worker.stop()

    assert rejection.last_error.startswith("Could not reach the mail server: ")
    assert "timed out" in rejection.last_error
    assert rejection.next_attempt_at > rejection.updated_at  # a backoff from the attempt
