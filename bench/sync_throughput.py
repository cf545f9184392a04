"""Sync throughput against the sandbox at a set rate limit.

    .venv/bin/python bench/sync_throughput.py [--participants 600] [--rate 10] [--latency-ms 150]

The Willo sandbox runs in a subprocess (`manage.py willo_sandbox serve`) with a latency
on every response and a per-key rate limit of ``--rate`` requests a second (429 with
Retry-After beyond it); the dashboard's client is set to the same rate. A full sync of
the seeded organisation (interviews, participant pages, every participant's detail) runs
in this process on a throwaway SQLite database, twice: with the detail requests one at a
time (the baseline) and with ``WILLO_SYNC_DETAIL_WORKERS`` in flight.

Prints participants a second, requests a second, the share of the allowed rate used,
the 429/5xx answers seen (retried) and whether the run succeeded, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SANDBOX_KEY = "bench-owner-key-0000000000000000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=600)
    parser.add_argument("--rate", type=float, default=10.0, help="allowed requests a second")
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--workers", type=int, default=6, help="detail requests in flight")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="willo-bench-sync-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_DEBUG="true",
        WILLO_ALLOW_EAGER_TASKS="true",  # one process: tasks run in it
        WILLO_ALLOW_PRIVATE_API_HOSTS="true",  # the sandbox is on loopback
        DATABASE_URL=f"sqlite:///{workdir / 'dashboard.sqlite3'}",
        WILLO_REQUESTS_PER_SECOND=str(args.rate),
    )
    import django

    django.setup()
    from django.core.management import call_command
    from recruiter_pages import _free_port, _start_sandbox

    call_command("migrate", verbosity=0)
    port = _free_port()
    sandbox = _start_sandbox(
        workdir,
        port,
        args.latency_ms,
        participants=args.participants,
        extra=["--rate-limit", str(int(args.rate)), "--rate-window", "1"],
    )
    try:
        _run(args, f"http://127.0.0.1:{port}/api/integrations/v2")
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)


def _run(args: argparse.Namespace, base_url: str) -> None:
    import httpx
    from django.conf import settings

    from dashboard.models import Team
    from willo_integration.models import CachedInterview, CachedParticipant, SyncRun
    from willo_integration.services import clients
    from willo_integration.services.scope import Scope
    from willo_integration.services.sync import sync_run, sync_start

    answers: dict[int, int] = {}
    real = httpx.HTTPTransport()

    class Counting(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = real.handle_request(request)
            answers[response.status_code] = answers.get(response.status_code, 0) + 1
            return response

    clients.transport = Counting()
    team = Team(name="Bench Sync", environment=Team.Environment.CUSTOM, custom_base_url=base_url)
    team.set_api_key(SANDBOX_KEY)
    team.save()
    scope = Scope(team=team)

    results = {}
    for label, workers in (
        ("baseline, 1 in flight", 1),
        (f"{args.workers} in flight", args.workers),
    ):
        CachedParticipant.objects.all().delete()
        CachedInterview.objects.all().delete()
        SyncRun.objects.all().delete()
        answers.clear()
        settings.WILLO_SYNC_DETAIL_WORKERS = workers
        time.sleep(1.5)  # let the sandbox's rate window empty
        started = time.perf_counter()
        run = sync_run(run_id=sync_start(scope=scope, kind=SyncRun.Kind.FULL).pk)
        elapsed = time.perf_counter() - started
        requests = sum(answers.values())
        refused = sum(n for status, n in answers.items() if status == 429 or status >= 500)
        results[label] = (run, elapsed, requests, refused)

    print(
        f"Full sync of {args.participants} participants, sandbox at {args.latency_ms} ms "
        f"and {args.rate:g} requests/s per key, client limit {args.rate:g}/s"
    )
    for label, (run, elapsed, requests, refused) in results.items():
        print(
            f"  {label}: {run.state}, {run.details_done} details in {elapsed:.1f} s = "
            f"{run.details_done / elapsed:.1f} participants/s; {requests} requests = "
            f"{requests / elapsed:.2f}/s, {100 * requests / elapsed / args.rate:.0f}% of the "
            f"allowed rate; 429/5xx answers retried: {refused}"
        )
    (base, base_elapsed, *_), (best, best_elapsed, *_) = results.values()
    print(
        f"  ratio ({args.workers} in flight / baseline), participants/s: "
        f"{(best.details_done / best_elapsed) / (base.details_done / base_elapsed):.2f}x"
    )


if __name__ == "__main__":
    main()
