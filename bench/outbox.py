"""The outbox's cost: candidates' rejection emails sent through it, against sending the same
messages straight through Django's SMTP backend, to a real SMTP server on loopback.

    .venv/bin/python bench/outbox.py [--emails 300] [--rounds 3]

Everything runs on this machine: a throwaway SQLite database, an aiosmtpd server on
loopback that counts what arrives, a team with a rejection template and ``--emails``
candidates whose rejections Willo already has. Each round:

- *Outbox*: one email queued per decision (``decision_emails_queue``, no delay), then
  beat's drain (``outbox_drain``) with tasks run in this process: each email claimed,
  filled in from its template, sent on its own connection, and recorded.
- *Direct* (the baseline, same run): the same messages, already written, each sent on its
  own connection by Django's SMTP backend: no row, no claim, no template.

Prints emails/s (wall) and CPU ms per email for both, and the ratio outbox / direct.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Counter:
    """The SMTP server's handler: counts the messages it accepts."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    counter = Counter()
    port = _free_port()
    smtp = Controller(counter, hostname="127.0.0.1", port=port)
    smtp.start()
    workdir = Path(tempfile.mkdtemp(prefix="willo-bench-outbox-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_DEBUG="true",
        WILLO_ALLOW_EAGER_TASKS="true",  # one process: the drain's tasks run in it
        DATABASE_URL=f"sqlite:///{workdir / 'dashboard.sqlite3'}",
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        DJANGO_LOG_FORMAT="plain",
    )
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)  # an INFO line per email would be what we measure
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        _run(args, counter)
    finally:
        smtp.stop()


def _run(args: argparse.Namespace, counter: Counter) -> None:
    from django.core.mail import EmailMultiAlternatives, get_connection
    from django.utils import timezone

    from dashboard.models import Decision, EmailTemplate, OutboundEmail, Team
    from willo_integration.models import CachedInterview, CachedParticipant
    from willo_integration.services.decision_emails import decision_emails_queue
    from willo_integration.services.email_templates import template_save
    from willo_integration.services.outbox import outbox_drain
    from willo_integration.services.scope import Scope

    team = Team.objects.create(name="Bench Hiring", environment=Team.Environment.SANDBOX)
    scope = Scope(team=team)
    template_save(
        team=team,
        kind=EmailTemplate.Kind.REJECTION,
        name="Kind no",
        subject="Your application for {job_title} at {company_name}",
        body="Dear {candidate_first_name},\n\nThank you for your interview for {job_title}. "
        "We will not take your application further.\n\n{recruiter_name}\n{company_name}",
        is_default=True,
        actor=None,
    )
    now = timezone.now()
    job = CachedInterview.objects.create(
        team=team, scope="", key="job-1", title="Barista", source="read", fetched_at=now
    )
    outbox_rates, outbox_cpu, direct_rates, direct_cpu = [], [], [], []
    for round_ in range(args.rounds):
        CachedParticipant.objects.bulk_create(
            CachedParticipant(
                team=team,
                scope="",
                key=f"p-{round_}-{n}",
                interview=job,
                interview_key=job.key,
                name=f"Candidate {round_}-{n} Example",
                email=f"candidate{round_}.{n}@example.com",
                status="Rejected",
                source="read",
                fetched_at=now,
            )
            for n in range(args.emails)
        )
        decisions = Decision.objects.bulk_create(
            Decision(
                team=team,
                scope="",
                participant_key=f"p-{round_}-{n}",
                status=Decision.Status.REJECTED,
                state=Decision.State.SENT,
                sent_at=timezone.now(),
            )
            for n in range(args.emails)
        )
        decisions = list(Decision.objects.filter(participant_key__startswith=f"p-{round_}-"))

        before, wall, cpu = counter.received, time.perf_counter(), time.process_time()
        decision_emails_queue(scope=scope, decisions=decisions, delay_hours=0, actor=None)
        while OutboundEmail.objects.filter(state=OutboundEmail.State.QUEUED).exists():
            outbox_drain()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        sent = counter.received - before
        assert sent == args.emails, f"the outbox sent {sent} of {args.emails}"
        outbox_rates.append(sent / wall)
        outbox_cpu.append(cpu * 1000 / sent)

        messages = [
            EmailMultiAlternatives(
                subject=e.subject,
                body=e.text_body,
                from_email="Bench Hiring <dashboard@localhost>",
                to=[e.to_email],
                alternatives=[(e.html_body, "text/html")],
            )
            for e in OutboundEmail.objects.filter(participant_key__startswith=f"p-{round_}-")
        ]
        before, wall, cpu = counter.received, time.perf_counter(), time.process_time()
        for message in messages:  # a connection each, as the outbox opens
            get_connection(fail_silently=False).send_messages([message])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        sent = counter.received - before
        assert sent == args.emails, f"the direct path sent {sent} of {args.emails}"
        direct_rates.append(sent / wall)
        direct_cpu.append(cpu * 1000 / sent)

    out, direct = statistics.median(outbox_rates), statistics.median(direct_rates)
    print(f"{args.emails} rejection emails a round, {args.rounds} rounds (medians):")
    print(
        f"  outbox (queue, drain, claim, fill in, send, record): {out:7.1f} emails/s, "
        f"{statistics.median(outbox_cpu):5.2f} ms CPU an email"
    )
    print(
        f"  direct (Django's SMTP backend, written messages):    {direct:7.1f} emails/s, "
        f"{statistics.median(direct_cpu):5.2f} ms CPU an email"
    )
    print(f"  ratio outbox / direct: {out / direct:.2f}x")


if __name__ == "__main__":
    started, cpu = time.perf_counter(), time.process_time()
    main()
    print(f"wall {time.perf_counter() - started:.1f} s, CPU {time.process_time() - cpu:.1f} s")
