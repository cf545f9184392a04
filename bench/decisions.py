"""A bulk decision of 50 candidates: the POST's server time with Willo up, failing and not
answering, against the job page it is made from.

    .venv/bin/python bench/decisions.py [--runs 30] [--latency-ms 150] [--redis-db 13]

Everything on loopback: a throwaway PostgreSQL database (created and dropped here), a
Redis database as the Celery broker (emptied before and after; no worker consumes it: the
bench times the POST, not the sending), and three Willos for the team's API URL: the
sandbox (`manage.py willo_sandbox serve --latency-ms 150`, 500 candidates), a second
sandbox failing every request (`--error-rate 1`), and a port that accepts connections and
never answers. Requests go in-process through Django's test client with its CSRF checks on,
as the job page's form sends them (HTMX, answered with the table), logged in as a recruiter;
Willo requests are counted in httpx's transport.

- *Baseline*: the job page (warm cache) the recruiter selects the 50 on.
- *Bulk decision*: POST Reject for 50 candidates of that job, with a broker (decisions
  published as tasks) and eager (the one-box mode; the sweep sends them), with each Willo.
- *Stale job*: the same POST (with the broker) when the job's cached detail is older than
  WILLO_CACHE_TTL_SECONDS, with each Willo (a few runs: each may wait for Willo).

Prints median / p95 wall and CPU ms of this process (the server's), PostgreSQL's CPU per
request, the Willo requests made meanwhile, and each wall median's ratio to the baseline's.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"
CANDIDATES = 50


@dataclass
class Timings:
    wall_ms: list[float]
    cpu_ms: list[float]
    postgres_cpu_ms: float | None  # per request, over all runs
    willo_requests: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--stale-runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--database", default="bench_decisions")
    parser.add_argument("--redis-db", type=int, default=13)
    args = parser.parse_args()

    import psycopg
    from recruiter_pages import SANDBOX_KEY, _free_port, _start_sandbox

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {args.database}")
    broker = f"{REDIS}/{args.redis_db}"
    workdir = Path(tempfile.mkdtemp(prefix="willo-bench-decisions-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_DEBUG="true",
        WILLO_ALLOW_PRIVATE_API_HOSTS="true",  # the sandbox is on loopback
        DATABASE_URL=f"{POSTGRES}/{args.database}",
        DJANGO_CONN_MAX_AGE="60",  # as docker-compose.yml: one backend, prepared statements
        CELERY_BROKER_URL=broker,
        WILLO_REQUESTS_PER_SECOND="50",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.getLogger("willo_integration").setLevel(logging.WARNING)  # not a line a decision

    up_port, failing_port = _free_port(), _free_port()
    up = _start_sandbox(workdir, up_port, args.latency_ms, participants=500)
    (workdir / "failing").mkdir()
    failing = _start_sandbox(
        workdir / "failing", failing_port, args.latency_ms, extra=["--error-rate", "1"]
    )
    silent = socket.socket()  # accepts connections (the kernel does), never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    willos = {
        "up": _api(up_port),
        "failing (5xx)": _api(failing_port),
        "not answering": _api(silent.getsockname()[1]),
    }
    try:
        _run(args, willos, broker, SANDBOX_KEY)
    finally:
        for process in (up, failing):
            process.terminate()
            process.wait(timeout=10)
        silent.close()
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")


def _api(port: int) -> str:
    return f"http://127.0.0.1:{port}/api/integrations/v2"


def _run(args: argparse.Namespace, willos: dict[str, str], broker: str, api_key: str) -> None:
    import httpx
    import redis
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from dashboard.celery import app
    from dashboard.models import Decision, Membership, Team
    from willo_integration.models import CachedInterview, CachedParticipant
    from willo_integration.services.refresh import interview_refresh, interviews_refresh
    from willo_integration.services.scope import Scope

    # Counted in httpx's own transport, so the dashboard's client is built as in production
    # (its timeouts included: WILLO_TIMEOUT_SECONDS decides how long a silent Willo holds it).
    willo_requests = 0
    send = httpx.HTTPTransport.handle_request

    def counted(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        nonlocal willo_requests
        willo_requests += 1
        return send(transport, request)

    httpx.HTTPTransport.handle_request = counted
    queue = redis.Redis.from_url(broker)
    queue.flushdb()

    team = Team(
        name="Bench Decisions",
        environment=Team.Environment.CUSTOM,
        custom_base_url=willos["up"],
    )
    team.set_api_key(api_key)
    team.save()
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    scope = Scope(team=team)
    interviews_refresh(scope=scope)
    sizes = {job.key: 0 for job in CachedInterview.objects.filter(team=team)}
    for key in sizes:
        sizes[key] = interview_refresh(scope=scope, key=key)
    job = CachedInterview.objects.get(team=team, key=max(sizes, key=sizes.get))
    keys = list(
        CachedParticipant.objects.filter(team=team, interview=job)
        .order_by("name", "key")
        .values_list("key", flat=True)[:CANDIDATES]
    )
    if len(keys) < CANDIDATES:
        raise SystemExit(f"the largest job has {len(keys)} candidates, not {CANDIDATES}")

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    job_url = reverse("dashboard:interview_detail", args=[team.slug, job.key])
    decide_url = reverse("dashboard:participants_decide_bulk", args=[team.slug, job.key])
    browser.get(job_url)
    headers = {"HX-Request": "true", "X-CSRFToken": browser.cookies["csrftoken"].value}
    form = {"keys": keys, "status": "Rejected", "filter_query": ""}
    backend = _backend_stat(connection)

    def fresh() -> None:
        """The job as the recruiter just saw it: nothing in it is due for a read of Willo."""
        now = timezone.now()
        CachedInterview.objects.filter(pk=job.pk).update(
            detail_fetched_at=now, participants_fetched_at=now
        )

    def undecided() -> None:
        fresh()
        Decision.objects.filter(team=team).delete()
        queue.flushdb()

    def stale_and_undecided() -> None:
        undecided()
        old = timezone.now() - timedelta(seconds=settings.WILLO_CACHE_TTL_SECONDS + 60)
        CachedInterview.objects.filter(pk=job.pk).update(detail_fetched_at=old)

    def measure(
        request: Callable[[], object],
        runs: int,
        reset: Callable[[], None] = fresh,
        warm_up: int = 3,
    ) -> Timings:
        nonlocal willo_requests
        for _ in range(warm_up):  # imports, templates, connections
            reset()
            request()
        wall, cpu, requests, postgres = [], [], 0, 0.0
        for _ in range(runs):
            reset()
            willo_requests = 0
            before_postgres = backend()
            started_cpu, started = time.process_time(), time.perf_counter()
            response = request()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            if before_postgres is not None:
                postgres += backend() - before_postgres
            requests += willo_requests
            assert response.status_code == 200, response.status_code
        return Timings(wall, cpu, postgres / runs if backend() is not None else None, requests)

    def page():
        return browser.get(job_url)

    def decide():
        response = browser.post(decide_url, form, headers=headers)
        assert Decision.objects.filter(team=team, state="pending").count() == CANDIDATES
        # With the broker, each decision is a task waiting for its undo window to close.
        assert queue.llen("celery") == (0 if app.conf.task_always_eager else CANDIDATES)
        return response

    def use(base_url: str, *, eager: bool) -> None:
        team.custom_base_url = base_url
        team.set_api_key(api_key)  # a key is bound to its base URL: entered again for it
        team.save()
        settings.CELERY_TASK_ALWAYS_EAGER = eager
        app.conf.task_always_eager = eager

    use(willos["up"], eager=False)
    baseline = measure(page, args.runs)
    rows: list[tuple[str, Timings]] = []
    for eager in (False, True):
        mode = "eager, no broker" if eager else "Redis broker"
        for name, base_url in willos.items():
            use(base_url, eager=eager)
            rows.append(
                (f"bulk decision, {mode}, Willo {name}", measure(decide, args.runs, undecided))
            )

    for name, base_url in willos.items():
        use(base_url, eager=False)
        stale_row = measure(decide, args.stale_runs, stale_and_undecided, warm_up=0)
        rows.append((f"bulk decision, stale job, Redis broker, Willo {name}", stale_row))
    undecided()

    print(
        f"Bulk decision of {CANDIDATES} candidates ({job.title!r}, {sizes[job.key]} cached), "
        f"{args.runs} runs each ({args.stale_runs} stale); ms, median / p95"
    )
    print(f"  {'request':<58} {'wall':>15} {'CPU':>15} {'PG CPU':>7} {'Willo':>6} {'ratio':>6}")
    for name, timings in [("job page (baseline)", baseline), *rows]:
        ratio = statistics.median(timings.wall_ms) / statistics.median(baseline.wall_ms)
        postgres = "" if timings.postgres_cpu_ms is None else f"{timings.postgres_cpu_ms:.1f}"
        print(
            f"  {name:<58} {_fmt(timings.wall_ms):>15} {_fmt(timings.cpu_ms):>15} "
            f"{postgres:>7} {timings.willo_requests:>6} {ratio:>5.1f}x"
        )
    print("  (Willo: requests made during the timed requests, all runs; ratio: wall medians)")


def _backend_stat(connection) -> Callable[[], float | None]:
    """The CPU ms PostgreSQL's backend for this connection has used so far (None if its
    /proc entry is not readable: another machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu_ms() -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) * 1000 / ticks  # utime + stime

    return cpu_ms


def _fmt(timings: list[float]) -> str:
    p95 = sorted(timings)[math.ceil(len(timings) * 0.95) - 1]  # nearest rank
    return f"{statistics.median(timings):.1f} / {p95:.1f}"


if __name__ == "__main__":
    main()
