"""The outbox: a candidate's email is a row that waits for its decision, is queued for its
delay once Willo has the decision, is sent by the drain once due, at most once, and is
cancelled, failed or left unknown with the reason."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dashboard.models import Decision, EmailTemplate, OutboundEmail, Team
from willo_integration.services import outbox
from willo_integration.services.decision_emails import decision_emails_queue
from willo_integration.services.decisions import decision_send, decision_undo, participant_decide
from willo_integration.services.email_delivery import email_send
from willo_integration.services.email_templates import (
    PLACEHOLDERS,
    TemplateInvalid,
    candidate_first_name_set,
    email_render,
    fill,
    template_save,
)
from willo_integration.services.outbox import email_cancel, email_resolve, outbox_drain

from .conftest import cached_interview, cached_participant, reply

State = OutboundEmail.State
REJECTED = {"key": "p1", "name": "Ada Lovelace", "status": "Rejected"}
SUBJECT = "Your application for {job_title} at {company_name}"
BODY = (
    "Dear {candidate_first_name},\n\nThank you for applying for {job_title}. We will not be "
    "taking your application further.\n\n{recruiter_name}\n{company_name}"
)


@pytest.fixture(autouse=True)
def _no_undo_window(settings):
    settings.WILLO_DECISION_UNDO_SECONDS = 0


@pytest.fixture
def job(scope):
    return cached_interview(scope, key="job1", title="Barista")


@pytest.fixture
def candidate(scope, job):
    return cached_participant(
        scope, job, key="p1", name="Ada Lovelace", email="ada@example.com", status="Completed"
    )


@pytest.fixture
def template(scope, admin_user):
    team = scope.team
    team.email_sender_name = "Acme Talent"
    team.email_reply_to = "jobs@acme.example"
    team.save()
    admin_user.first_name, admin_user.last_name = "Grace", "Hopper"
    admin_user.save()
    return template_save(
        team=team,
        kind=EmailTemplate.Kind.REJECTION,
        name="Standard",
        subject=SUBJECT,
        body=BODY,
        is_default=True,
        actor=admin_user,
    )


@pytest.fixture
def willo_takes_it(fake_willo):
    fake_willo.on("PATCH", "participants/", reply(200, REJECTED))
    return fake_willo


def _reject(scope, user, key: str = "p1") -> Decision:
    return participant_decide(
        scope=scope, participant_key=key, status="Rejected", actor=user, ip_address=None
    )


def _queue(scope, decisions: list[Decision], user, delay_hours: int = 4):
    return decision_emails_queue(
        scope=scope, decisions=decisions, delay_hours=delay_hours, actor=user
    )


def _email_of(decision: Decision) -> OutboundEmail:
    return OutboundEmail.objects.get(decision=decision)


def _time_passes(email: OutboundEmail) -> None:
    """Its delay (or backoff) is over: as if the clock had moved on to its next attempt."""
    OutboundEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def queued(scope, candidate, template, willo_takes_it, admin_user) -> OutboundEmail:
    """Ada's rejection, sent to Willo, its email queued for 4 h after."""
    decision = _reject(scope, admin_user)
    _queue(scope, [decision], admin_user)
    decision_send(decision_id=decision.pk)
    return _email_of(decision)


@pytest.fixture
def due(queued) -> OutboundEmail:
    _time_passes(queued)
    queued.refresh_from_db()
    return queued


def _state(email: OutboundEmail) -> str:
    email.refresh_from_db()
    return email.state


# -- waiting, queued, sent ----------------------------------------------------------------


def test_a_rejection_email_waits_while_its_decision_is_pending(
    scope, candidate, template, admin_user
):
    decision = _reject(scope, admin_user)

    _queue(scope, [decision], admin_user)
    outbox_drain()

    email = _email_of(decision)
    assert (email.state, email.send_after) == (State.WAITING, None)
    assert mail.outbox == []


def test_it_is_queued_for_its_delay_once_the_decision_reaches_willo(
    scope, candidate, template, willo_takes_it, admin_user
):
    decision = _reject(scope, admin_user)
    _queue(scope, [decision], admin_user, delay_hours=4)

    decision_send(decision_id=decision.pk)

    decision.refresh_from_db()
    email = _email_of(decision)
    assert decision.state == Decision.State.SENT
    assert email.state == State.QUEUED
    assert email.send_after == email.next_attempt_at == decision.sent_at + timedelta(hours=4)


def test_the_drain_sends_nothing_before_its_delay_is_over(queued):
    report = outbox_drain()

    assert report.enqueued == 0
    assert _state(queued) == State.QUEUED
    assert mail.outbox == []


def test_the_drain_sends_it_once_its_delay_is_over(due):
    report = outbox_drain()

    assert report.enqueued == 1
    due.refresh_from_db()
    assert (due.state, due.attempts, due.last_error) == (State.SENT, 1, "")
    assert due.sent_at is not None
    assert [m.to for m in mail.outbox] == [["Ada Lovelace <ada@example.com>"]]


def test_its_placeholders_are_filled_in_the_subject_the_text_and_the_html(due):
    outbox_drain()

    (message,) = mail.outbox
    assert message.subject == "Your application for Barista at Acme Hiring"
    assert message.body.startswith("Dear Ada,\n\nThank you for applying for Barista.")
    assert message.body.endswith("Grace Hopper\nAcme Hiring\n")
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert "<p>Dear Ada,</p>" in html
    for text in (message.subject, message.body, html):
        assert "{" not in text
        assert "}" not in text


def test_it_goes_from_the_teams_sender_name_with_replies_to_the_teams_address(due):
    outbox_drain()

    (message,) = mail.outbox
    headers = message.message()
    due.refresh_from_db()
    assert headers["From"] == "Acme Talent <dashboard@localhost>"
    assert headers["Reply-To"] == "jobs@acme.example"
    assert headers["Message-ID"] == due.message_id
    assert headers["Auto-Submitted"] == "auto-generated"


def test_the_email_keeps_the_words_it_was_sent_with(due):
    outbox_drain()

    due.refresh_from_db()
    (message,) = mail.outbox
    assert (due.subject, due.text_body) == (message.subject, message.body)


def test_the_first_name_a_member_corrected_greets_the_candidate(scope, candidate, due, admin_user):
    candidate_first_name_set(
        scope=scope, participant=candidate, first_name="Augusta", actor=admin_user
    )

    outbox_drain()

    assert mail.outbox[0].body.startswith("Dear Augusta,")


# -- cancelled by its decision ------------------------------------------------------------


def test_undo_cancels_its_email(scope, candidate, template, admin_user):
    decision = _reject(scope, admin_user)
    _queue(scope, [decision], admin_user)

    decision_undo(scope=scope, decision_id=decision.pk, actor=admin_user)

    email = _email_of(decision)
    assert (email.state, email.last_error) == (State.CANCELLED, "Its decision was undone.")


def test_a_later_decision_cancels_its_email(scope, queued, admin_user):
    participant_decide(
        scope=scope, participant_key="p1", status="Accepted", actor=admin_user, ip_address=None
    )
    _time_passes(queued)
    outbox_drain()

    queued.refresh_from_db()
    assert queued.state == State.CANCELLED
    assert queued.last_error == "A later decision replaced its decision."
    assert mail.outbox == []


def test_a_decision_willo_refused_cancels_its_email(
    scope, candidate, template, fake_willo, admin_user
):
    fake_willo.on("PATCH", "participants/p1/", reply(400, {"status": ["Not completed."]}))
    decision = _reject(scope, admin_user)
    _queue(scope, [decision], admin_user)

    decision_send(decision_id=decision.pk)

    decision.refresh_from_db()
    email = _email_of(decision)
    assert decision.state == Decision.State.FAILED
    assert email.state == State.CANCELLED
    assert email.last_error == "Its decision could not be sent to Willo."


# -- at most one per candidate, job and kind ----------------------------------------------


def test_a_second_email_of_the_same_kind_for_the_same_candidate_and_job_is_refused(
    scope, queued, admin_user
):
    report = _queue(scope, [queued.decision], admin_user)

    assert report.queued == []
    assert report.skipped == [
        ("Ada Lovelace", "an email of this kind is already there for this job")
    ]
    assert OutboundEmail.objects.count() == 1


def test_once_it_is_cancelled_another_may_be_queued(scope, queued, admin_user):
    email_cancel(scope=scope, email_id=queued.pk, actor=admin_user)

    report = _queue(scope, [queued.decision], admin_user)

    assert [e.state for e in report.queued] == [State.QUEUED]
    assert report.skipped == []


def test_a_redelivered_task_finds_nothing_to_claim_and_sends_nothing_again(due):
    first = email_send(email_id=due.pk)
    second = email_send(email_id=due.pk)

    assert first.email.state == State.SENT
    assert second.email is None
    assert len(mail.outbox) == 1


def test_an_email_another_worker_is_sending_is_not_claimed(due):
    OutboundEmail.objects.filter(pk=due.pk).update(
        state=State.SENDING, sending_until=timezone.now() + timedelta(minutes=1)
    )

    outcome = email_send(email_id=due.pk)

    assert outcome.email is None
    assert _state(due) == State.SENDING
    assert mail.outbox == []


def test_a_claim_whose_lease_ran_out_becomes_unknown_in_the_drain(due):
    OutboundEmail.objects.filter(pk=due.pk).update(
        state=State.SENDING, sending_until=timezone.now() - timedelta(seconds=1)
    )

    report = outbox_drain()

    assert (report.unknown, report.enqueued) == (1, 0)
    due.refresh_from_db()
    assert due.state == State.UNKNOWN
    assert "whether it went out is unknown" in due.last_error
    assert mail.outbox == []


def test_an_email_of_unknown_outcome_is_never_sent_again_by_itself(due):
    OutboundEmail.objects.filter(pk=due.pk).update(
        state=State.SENDING, sending_until=timezone.now() - timedelta(seconds=1)
    )
    outbox_drain()

    outbox_drain()
    outcome = email_send(email_id=due.pk)

    assert outcome.email is None
    assert _state(due) == State.UNKNOWN
    assert mail.outbox == []


@pytest.fixture
def unknown(due) -> OutboundEmail:
    OutboundEmail.objects.filter(pk=due.pk).update(
        state=State.UNKNOWN, last_error="The connection was lost."
    )
    return due


def test_resolving_it_as_gone_out_marks_it_sent(scope, unknown, admin_user):
    email = email_resolve(scope=scope, email_id=unknown.pk, actor=admin_user, went_out=True)
    outbox_drain()

    assert (email.state, email.resolved_by_username) == (State.SENT, admin_user.username)
    assert email.sent_at is not None
    assert mail.outbox == []


def test_resolving_it_as_not_gone_out_has_the_drain_send_it_again(scope, unknown, admin_user):
    email = email_resolve(scope=scope, email_id=unknown.pk, actor=admin_user, went_out=False)
    assert email.state == State.QUEUED

    outbox_drain()

    assert _state(email) == State.SENT
    assert len(mail.outbox) == 1


# -- bad input fails that email, with the reason ------------------------------------------


def test_a_malformed_address_fails_that_email_and_the_others_still_go(
    scope, job, candidate, template, willo_takes_it, admin_user
):
    cached_participant(scope, job, key="p2", name="Bob Marley", email="not an address")
    decisions = [_reject(scope, admin_user, "p1"), _reject(scope, admin_user, "p2")]
    _queue(scope, decisions, admin_user, delay_hours=0)
    for decision in decisions:
        decision_send(decision_id=decision.pk)

    outbox_drain()

    good, bad = (_email_of(d) for d in decisions)
    assert (bad.state, bad.last_error) == (
        State.FAILED,
        "'not an address' is not a valid email address.",
    )
    assert good.state == State.SENT
    assert [m.to for m in mail.outbox] == [["Ada Lovelace <ada@example.com>"]]


def test_a_template_changed_to_an_unknown_placeholder_fails_its_email_with_the_reason(
    template, due
):
    EmailTemplate.objects.filter(pk=template.pk).update(body="Dear {candidate_nickname},")

    outbox_drain()

    due.refresh_from_db()
    assert due.state == State.FAILED
    assert due.last_error == "The template has an unknown placeholder: {candidate_nickname}."
    assert mail.outbox == []


def test_a_name_with_a_line_break_from_willo_is_sent_on_one_line(scope, candidate, due):
    type(candidate).objects.filter(pk=candidate.pk).update(name="Ada\nLovelace")
    OutboundEmail.objects.filter(pk=due.pk).update(to_name="Ada\nLovelace")

    outbox_drain()

    assert _state(due) == State.SENT
    assert mail.outbox[0].message()["To"] == "Ada Lovelace <ada@example.com>"


# -- the templates -----------------------------------------------------------------------


def _save(team: Team, user, **fields) -> EmailTemplate:
    values = {
        "kind": EmailTemplate.Kind.REJECTION,
        "name": "Standard",
        "subject": SUBJECT,
        "body": BODY,
        "is_default": False,
    }
    return template_save(team=team, actor=user, **{**values, **fields})


def test_template_save_refuses_an_unknown_placeholder_naming_it(team, admin_user):
    with pytest.raises(TemplateInvalid, match=r"Unknown placeholder \{first_name\}: use "):
        _save(team, admin_user, body="Dear {first_name},")

    assert not EmailTemplate.objects.exists()


def test_template_save_refuses_a_brace_that_is_no_placeholders(team, admin_user):
    with pytest.raises(TemplateInvalid, match=r"not part of a placeholder: \{candidate_first_n"):
        _save(team, admin_user, body="Dear {candidate_first_name,")

    assert not EmailTemplate.objects.exists()


def test_template_save_refuses_a_name_the_team_already_uses_for_that_kind(team, admin_user):
    _save(team, admin_user)

    with pytest.raises(TemplateInvalid, match="already has a rejection template named 'Standard'"):
        _save(team, admin_user, body="Another body.")

    assert EmailTemplate.objects.filter(team=team).count() == 1


_PIECES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["{", "}", "{{", "}}", "{}", "{nope}", "{ job_title }"]),
    st.sampled_from([f"{{{name}}}" for name in PLACEHOLDERS]),
)
_FACTS = dict.fromkeys(PLACEHOLDERS, "x")


@hypothesis_settings(max_examples=200, deadline=None)
@given(subject=st.lists(_PIECES, max_size=6).map("".join), body=st.text())
def test_rendering_any_text_raises_nothing_but_template_invalid(subject, body):
    try:
        email_render(subject=subject, body=body, facts=_FACTS, team=Team(name="Acme"))
        fill(subject + body, _FACTS)
    except TemplateInvalid:
        pass


_FREE_TEXT = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=20)
_KNOWN_AND_FREE = st.lists(
    st.one_of(_FREE_TEXT, st.sampled_from([f"{{{name}}}" for name in PLACEHOLDERS])),
    max_size=8,
).map("".join)
_FREE_FACTS = st.fixed_dictionaries(dict.fromkeys(PLACEHOLDERS, _FREE_TEXT))


@hypothesis_settings(max_examples=200, deadline=None)
@given(subject=_KNOWN_AND_FREE, body=_KNOWN_AND_FREE, facts=_FREE_FACTS)
def test_known_placeholders_and_text_without_braces_render_with_no_brace_left(subject, body, facts):
    rendered = email_render(subject=subject, body=body, facts=facts, team=Team(name="Acme"))

    for text in (rendered.subject, rendered.text, rendered.html):
        assert "{" not in text
        assert "}" not in text


# -- over SMTP: what the mail server heard decides ----------------------------------------


class _HangsUpAfterTheMessage:
    """A mail server that takes the whole message, then drops the connection unanswered."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        server.transport.close()
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_hangs_up(settings):
    handler = _HangsUpAfterTheMessage()
    server = Controller(handler, hostname="127.0.0.1", port=_free_port())
    server.start()
    settings.EMAIL_BACKEND = "dashboard.email_backend.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 2
    yield handler
    server.stop()


def test_a_connection_lost_after_the_message_leaves_it_unknown_never_sent_again(due, smtp_hangs_up):
    outbox_drain()
    due.refresh_from_db()
    _time_passes(due)
    outbox_drain()

    assert due.state == State.UNKNOWN
    assert "it may have gone out (SMTPServerDisconnected)" in due.last_error
    assert len(smtp_hangs_up.messages) == 1
    assert _state(due) == State.UNKNOWN


def test_the_drain_hands_an_email_to_a_task_once_while_it_waits_in_the_broker(due, monkeypatch):
    handed: list[int] = []
    monkeypatch.setattr(outbox, "_eager", lambda: False)  # a worker takes the tasks
    monkeypatch.setattr(outbox, "_enqueue", handed.extend)

    outbox_drain()
    outbox_drain()  # the worker has not taken it yet

    assert handed == [due.pk]
    OutboundEmail.objects.filter(pk=due.pk).update(
        enqueued_at=timezone.now() - outbox.REENQUEUE_AFTER
    )
    outbox_drain()  # that task was lost: handed on again
    assert handed == [due.pk, due.pk]
