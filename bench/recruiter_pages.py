"""Server time of the job table and candidate pages: warm cache against cache bypassed.

    .venv/bin/python bench/recruiter_pages.py [--participants 10000] [--runs 30] [--latency-ms 150]

Everything runs on this machine: a throwaway SQLite database, the Willo sandbox
served by `manage.py willo_sandbox serve --latency-ms 150` in a subprocess, and
the dashboard pages requested in-process through Django's test client (so the
time measured is server time: view, selectors, templates, SQL).

- *Warm*: one job holding N cached candidates (cloned from real sandbox payloads);
  the pages must make zero Willo requests and a constant number of SQL queries
  whatever N (checked against a job of 100 candidates).
- *Baseline* (cache bypassed): the same pages when each view must first get its
  data from Willo at 150 ms a request: the job's interview, its candidates and
  their details (a job as the sandbox seeds it, ~20 candidates), or the candidate's detail.

Prints medians, p95, query counts, Willo request counts and the ratio.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SANDBOX_KEY = "bench-owner-key-0000000000000000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--latency-ms", type=int, default=150)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="willo-bench-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_DEBUG="true",
        WILLO_ALLOW_EAGER_TASKS="true",  # one process: tasks run in it
        WILLO_ALLOW_PRIVATE_API_HOSTS="true",  # the sandbox is on loopback
        DATABASE_URL=f"sqlite:///{workdir / 'dashboard.sqlite3'}",
        WILLO_REQUESTS_PER_SECOND="50",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    port = _free_port()
    sandbox = _start_sandbox(workdir, port, args.latency_ms)
    try:
        _run(args, f"http://127.0.0.1:{port}/api/integrations/v2")
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)


def _run(args: argparse.Namespace, base_url: str) -> None:
    import httpx
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dashboard.models import Membership, Team
    from willo_integration.models import CachedInterview, CachedParticipant
    from willo_integration.services import clients
    from willo_integration.services.refresh import interview_refresh, interviews_refresh
    from willo_integration.services.scope import Scope

    willo_requests = 0
    real_transport = httpx.HTTPTransport()

    class CountingTransport(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal willo_requests
            willo_requests += 1
            return real_transport.handle_request(request)

    clients.transport = CountingTransport()

    team = Team(name="Bench Hiring", environment=Team.Environment.CUSTOM, custom_base_url=base_url)
    team.set_api_key(SANDBOX_KEY)
    team.save()
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    scope = Scope(team=team)
    browser = Client()
    browser.force_login(user)

    interviews_refresh(scope=scope)
    jobs = list(CachedInterview.objects.filter(team=team))
    sizes = {}
    for job in jobs:
        sizes[job.key] = interview_refresh(scope=scope, key=job.key)
    # Three different jobs: one grown to N candidates, one to 100, one left as Willo has it.
    big_job, hundred_job, small_job = sorted(jobs, key=lambda j: -sizes[j.key])[:3]
    template_rows = list(CachedParticipant.objects.filter(team=team, interview=big_job))
    _grow(big_job, template_rows, args.participants)
    _grow(hundred_job, template_rows, 100)
    candidate = (
        CachedParticipant.objects.filter(team=team, interview=big_job, detail__isnull=False)
        .order_by("-created_at")
        .first()
    )

    def job_url(job) -> str:
        return reverse("dashboard:interview_detail", args=[team.slug, job.key])

    def candidate_url(key: str) -> str:
        return reverse("dashboard:participant_detail", args=[team.slug, key])

    def page_queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(ctx.captured_queries)

    def measure(
        url: str, reset: Callable[[], None] = _nothing, fetch: Callable[[], None] = _nothing
    ) -> tuple[list[float], int]:
        """Time ``fetch`` (the Willo reads a bypassed cache needs) plus the page itself."""
        nonlocal willo_requests
        for _ in range(3):  # warm-up: imports, template loading, connections
            reset()
            fetch()
            browser.get(url)
        timings, requests = [], 0
        for _ in range(args.runs):
            reset()
            willo_requests = 0
            start = time.perf_counter()
            fetch()
            response = browser.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            requests += willo_requests
            assert response.status_code == 200, (url, response.status_code)
        return timings, requests

    n_big = CachedParticipant.objects.filter(team=team, interview=big_job).count()
    n_hundred = CachedParticipant.objects.filter(team=team, interview=hundred_job).count()
    warm_job, warm_job_willo = measure(job_url(big_job))
    warm_candidate, warm_candidate_willo = measure(candidate_url(candidate.key))
    queries = {
        "job": (page_queries(job_url(hundred_job)), page_queries(job_url(big_job))),
        "candidate": (page_queries(candidate_url(candidate.key)),) * 2,
    }

    def forget_small_job() -> None:
        CachedParticipant.objects.filter(team=team, interview=small_job).delete()
        CachedInterview.objects.filter(pk=small_job.pk).update(
            detail=None, detail_fetched_at=None, participants_fetched_at=None
        )

    def fetch_small_job() -> None:
        interview_refresh(scope=scope, key=small_job.key)

    def forget_candidate() -> None:
        CachedParticipant.objects.filter(pk=candidate.pk).update(
            detail=None, detail_fetched_at=None, fetched_at=candidate.fetched_at - timedelta(days=1)
        )

    cold_job, cold_job_willo = measure(job_url(small_job), forget_small_job, fetch_small_job)
    cold_candidate, cold_candidate_willo = measure(candidate_url(candidate.key), forget_candidate)

    print(f"Recruiter pages, {args.runs} runs each, server time in ms (median / p95)")
    print(f"  job table, warm cache, {n_big} candidates: {_fmt(warm_job)}")
    print(
        f"      SQL queries: {queries['job'][0]} with {n_hundred} candidates, "
        f"{queries['job'][1]} with {n_big}; Willo requests: {warm_job_willo}"
    )
    print(f"  candidate page, warm cache: {_fmt(warm_candidate)}")
    print(f"      SQL queries: {queries['candidate'][0]}; Willo requests: {warm_candidate_willo}")
    print(
        f"  job table, cache bypassed ({sizes[small_job.key]} candidates fetched from the sandbox "
        f"at {args.latency_ms} ms): {_fmt(cold_job)}; Willo requests per view: "
        f"{cold_job_willo / args.runs:.0f}"
    )
    print(
        f"  candidate page, cache bypassed: {_fmt(cold_candidate)}; Willo requests per view: "
        f"{cold_candidate_willo / args.runs:.0f}"
    )
    print(
        f"  ratio (bypassed / warm median): job table "
        f"{statistics.median(cold_job) / statistics.median(warm_job):.1f}x, candidate page "
        f"{statistics.median(cold_candidate) / statistics.median(warm_candidate):.1f}x"
    )


def _nothing() -> None:
    pass


def _grow(job, templates, total: int) -> None:
    """Fill ``job`` with ``total`` candidates cloned from real sandbox payloads."""
    from willo_integration.models import CachedParticipant

    existing = CachedParticipant.objects.filter(team=job.team, interview=job).count()
    rows = []
    statuses = CachedParticipant.STATUSES
    for n in range(existing, total):
        source = templates[n % len(templates)]
        row = CachedParticipant(
            **{
                f.attname: getattr(source, f.attname)
                for f in CachedParticipant._meta.concrete_fields
                if f.attname not in {"id"}
            }
        )
        row.key = f"bench{job.pk:04d}{n:023d}"
        row.interview_id = job.pk
        row.interview_key = job.key
        row.name = f"{source.name} {n}"
        row.email = f"candidate{n}@example.com"
        row.status = statuses[n % len(statuses)]
        row.average_score = None if n % 4 == 0 else round(1 + (n % 40) / 10, 1)
        row.created_at = (source.created_at or job.fetched_at) - timedelta(minutes=n)
        rows.append(row)
    CachedParticipant.objects.bulk_create(rows, batch_size=1000)


def _fmt(timings: list[float]) -> str:
    p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
    return f"{statistics.median(timings):.1f} / {p95:.1f}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_sandbox(
    workdir: Path,
    port: int,
    latency_ms: int,
    *,
    participants: int = 180,
    extra: list[str] | None = None,
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "WILLO_ALLOW_PRIVATE_API_HOSTS": "true",  # the sandbox is on loopback
        "DATABASE_URL": f"sqlite:///{workdir / 'sandbox.sqlite3'}",
    }
    log = open(workdir / "sandbox.log", "w")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "willo_sandbox",
            "serve",
            "--port",
            str(port),
            "--api-key",
            SANDBOX_KEY,
            "--participants",
            str(participants),
            "--latency-ms",
            str(latency_ms),
            *(extra or []),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"the sandbox exited; see {workdir / 'sandbox.log'}") from None
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("the sandbox did not start within 90 s")


if __name__ == "__main__":
    main()
