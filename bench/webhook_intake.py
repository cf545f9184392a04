"""Webhook intake on gunicorn + PostgreSQL + Redis: deliveries per second and time to 2xx.

    .venv/bin/python bench/webhook_intake.py [--seconds 20] [--concurrency 8] [--rate 300]
        [--workers 5] [--threads 1] [--conn-max-age 60] [--worker-nice 19]

Everything runs on this machine, on loopback, configured as in production (DEBUG off,
whitenoise's manifest storage, a Fernet key, no SSL redirect since there is no TLS):
a throwaway PostgreSQL database (created, migrated and dropped), Redis db 8 as the
Celery broker and db 9 as the cache, the site served by gunicorn, and a Celery worker
(``--concurrency 2``) applying what the receiver stores, at the lowest CPU priority
(``--worker-nice``): on two shared cores the intake answers first and the applying
catches up after a burst (its rate and the time to drain are printed). The load comes
from this process: keep-alive http.client connections, one a thread.

- *Receiver*: unique new_response deliveries (participant payloads like the sandbox's)
  POSTed to ``/webhooks/willo/<route>/`` with the subscription's token; 1 in 100
  re-sends a body already acknowledged, which must be answered 200 without a second row.
  Then: how long until the worker has applied every stored delivery.
- *Baseline*: the same request to a route that does not exist, through the same gunicorn,
  middleware and view: the body is read, one indexed query finds no endpoint, one Redis
  write rate-limits the refusal log, 401. What is left out is exactly the intake's own
  work: the token check, JSON parsing, the INSERT and its commit, asking a worker.

Two loads, each on the receiver then on the baseline:

- *closed loop*: ``--concurrency`` connections, each sending its next request as soon as
  the previous is answered, for ``--seconds``: the sustained throughput;
- *open loop* (``--rate``, 0 to skip): requests scheduled at a fixed rate whatever the
  answers, latency counted from the scheduled time (so a stall is not hidden).

Prints throughput, p50/p95/p99 of the time to the answer, errors, the worker's apply
rate, CPU seconds per process group, and the ratios receiver / baseline.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import math
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "host=127.0.0.1 port=5432 user=postgres"
BENCH_INTERVIEW = {"key": "benchinterview000000000000000001", "title": "Bench job"}
DB_NAME = "willo_bench_intake"
REDIS = "redis://127.0.0.1:6379"
BROKER_DB, CACHE_DB = 8, 9
DUPLICATE_EVERY = 100  # 1% of receiver requests re-send an acknowledged body
WARM_UP_SECONDS = 2.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each load")
    parser.add_argument("--concurrency", type=int, default=8, help="closed-loop connections")
    parser.add_argument("--rate", type=float, default=300.0, help="open-loop requests/s (0: skip)")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads (>1: gthread)")
    parser.add_argument("--conn-max-age", type=int, default=60, help="DJANGO_CONN_MAX_AGE")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=19,
        help="the Celery worker's niceness: the intake answers first, applying catches up",
    )
    parser.add_argument(
        "--pause-worker",
        action="store_true",
        help="stop the Celery worker (SIGSTOP) during the receiver loads: intake alone, then "
        "the apply alone",
    )
    args = parser.parse_args()

    from cryptography.fernet import Fernet

    workdir = Path(tempfile.mkdtemp(prefix="willo-bench-intake-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_DEBUG="false",
        # The sandbox it drives is on loopback: the operator's flag allows that host.
        WILLO_ALLOW_PRIVATE_API_HOSTS="true",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        WILLO_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        # Not ?conn_max_age= in the URL: settings.py sets CONN_MAX_AGE from this variable.
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        DJANGO_CONN_MAX_AGE=str(args.conn_max_age),
        CACHE_URL=f"{REDIS}/{CACHE_DB}",
        CELERY_BROKER_URL=f"{REDIS}/{BROKER_DB}",
    )
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)
    busy = _machine_busy()
    time.sleep(1)
    if (busy := _machine_busy() - busy) > 0.25:
        print(f"warning: other processes keep {busy:.0%} of a core busy; figures will suffer")
    processes: list[subprocess.Popen] = []
    try:
        _database("create")
        _flush_redis()
        _manage(workdir, "migrate", "--noinput")
        import django

        django.setup()
        route, token = _fixture()
        processes.append(
            _start(
                workdir,
                "celery",
                [
                    "-m",
                    "celery",
                    "-A",
                    "dashboard",
                    "worker",
                    "-l",
                    "warning",
                    "--concurrency",
                    str(args.celery_concurrency),
                    "-n",
                    f"bench-intake-{os.getpid()}@%h",
                ],
                nice=args.worker_nice,
            )
        )
        port = _free_port()
        gunicorn = _gunicorn_argv(port, args.workers, threads=args.threads)
        processes.append(_start(workdir, "gunicorn", gunicorn))
        _wait_http(port, processes[-1], workdir)
        _run(args, port, route, token, processes)
    finally:
        for process in reversed(processes):
            _stop(process)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        _database("drop")
        _flush_redis()
    print(f"  (logs in {workdir})")


# -- the measurements -------------------------------------------------------------------


@dataclass
class Load:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # ms, expected answers only
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, ms: float, status: int, expected: bool) -> None:
        with self.lock:
            self.statuses[status] += 1
            if expected:
                self.latencies.append(ms)
            else:
                self.errors += 1

    @property
    def done(self) -> int:
        return sum(self.statuses.values())

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")

    def summary(self) -> str:
        return (
            f"{self.per_second:.0f}/s; p50 / p95 / p99 "
            f"{self.pct(0.5):.1f} / {self.pct(0.95):.1f} / {self.pct(0.99):.1f} ms; "
            f"errors {self.errors}" + (f" {dict(self.statuses)}" if self.errors else "")
        )


class Receiver:
    """Builds unique new_response deliveries; every 100th request re-sends an accepted one."""

    def __init__(self, route: str, token: str) -> None:
        self.url = f"/webhooks/willo/{route}/"
        self.headers = {"Authorization": token, "Content-Type": "application/json"}
        self.counter = itertools.count()
        self.accepted: list[bytes] = []  # bodies answered 202
        self.duplicate_statuses: Counter = Counter()
        self.random = random.Random(7)
        self.now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def body(self, n: int) -> bytes:
        key = f"bench{n:027d}"
        return json.dumps(
            {
                "key": key,
                "email": f"candidate{n}@example.com",
                "name": f"Bench Candidate {n}",
                "phone": "+447700900123",
                "status": "Invited",
                "status_changed_by": None,
                "status_changed_at": None,
                "send_notifications": True,
                "custom_id": None,
                "summary": None,
                "interview": BENCH_INTERVIEW,
                "department": {"key": "benchdepartment00000000000000001", "name": "Bench"},
                "created_at": self.now,
                "updated_at": self.now,
                "location": {"city": "London", "country_name": "United Kingdom"},
                "showcase_link": f"https://app.willotalent.com/showcase/{key}/",
                "candidate_overview_link": f"https://app.willotalent.com/interviewer/{key}/",
                "avatar_remote_link": None,
                "availability": [],
                "answers": [],
            }
        ).encode()

    def __call__(self, client) -> tuple[int, bool]:
        n = next(self.counter)
        duplicate = n % DUPLICATE_EVERY == DUPLICATE_EVERY - 1 and bool(self.accepted)
        body = self.random.choice(self.accepted) if duplicate else self.body(n)
        status = client.post(self.url, content=body, headers=self.headers).status_code
        if duplicate:
            self.duplicate_statuses[status] += 1
            return status, status == 200
        if status == 202:
            self.accepted.append(body)
        return status, status == 202


class Baseline:
    """The same request, to a route that does not exist: 401 after one indexed query."""

    def __init__(self, token: str, body: bytes) -> None:
        self.url = f"/webhooks/willo/{secrets.token_urlsafe(24)}/"
        self.headers = {"Authorization": token, "Content-Type": "application/json"}
        self.content = body

    def __call__(self, client) -> tuple[int, bool]:
        status = client.post(self.url, content=self.content, headers=self.headers).status_code
        return status, status == 401


Send = Callable[[object], tuple[int, bool]]


def closed_loop(port: int, send: Send, concurrency: int, seconds: float) -> Load:
    load = Load()
    start = time.perf_counter()
    stop = start + seconds

    def sender() -> None:
        with _client(port) as client:
            while (began := time.perf_counter()) < stop:
                _send_once(client, send, load, began)

    _in_threads(sender, concurrency)
    load.seconds = time.perf_counter() - start
    return load


def open_loop(port: int, send: Send, rate: float, seconds: float, in_flight: int) -> Load:
    """Request i is due at start + i / rate; a late send counts its lateness as latency."""
    load = Load()
    total = int(rate * seconds)
    counter = itertools.count()
    start = time.perf_counter() + 0.05

    def sender() -> None:
        with _client(port) as client:
            while (i := next(counter)) < total:
                due = start + i / rate
                if (wait := due - time.perf_counter()) > 0:
                    time.sleep(wait)
                _send_once(client, send, load, due)

    _in_threads(sender, in_flight)
    load.seconds = time.perf_counter() - start
    return load


def _send_once(client, send: Send, load: Load, began: float) -> None:
    try:
        status, expected = send(client)
    except (OSError, http.client.HTTPException):  # refused, reset, timed out
        status, expected = 0, False
    load.record((time.perf_counter() - began) * 1000, status, expected)


class _Client:
    """A keep-alive HTTP/1.1 connection on http.client: the load generator shares the two
    cores with what it measures, and costs a fraction of an httpx client per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10.0)

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> _Answer:
        try:
            self.connection.request("POST", url, body=content, headers=headers)
            response = self.connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # reconnects on the next request
            raise
        return _Answer(response.status)

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *exc) -> None:
        self.connection.close()


@dataclass(frozen=True)
class _Answer:
    status_code: int


def _client(port: int) -> _Client:
    return _Client(port)


def _in_threads(target: Callable[[], None], count: int) -> None:
    threads = [threading.Thread(target=target, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _run(args, port: int, route: str, token: str, processes: list[subprocess.Popen]) -> None:
    from django.db import connection

    from willo_integration import schemas
    from willo_integration.models import ReceivedWebhook

    receiver = Receiver(route, token)
    schemas.parse_webhook_delivery(json.loads(receiver.body(0)))  # what the worker will parse
    baseline = Baseline(token, receiver.body(10**9))
    groups = {
        "gunicorn": processes[1].pid,
        "celery": processes[0].pid,
        "postgres": _root_pid("postgres"),
        "redis": _root_pid("redis-server"),
    }

    def rows() -> int:
        return ReceivedWebhook.objects.count()

    def drain(timeout: float = 300.0) -> float:
        """Wait until the worker has applied every stored delivery; the seconds it took."""
        began = time.perf_counter()
        while ReceivedWebhook.objects.filter(state=ReceivedWebhook.State.RECEIVED).exists():
            if time.perf_counter() - began > timeout:
                raise SystemExit("the Celery worker did not apply the deliveries in time")
            time.sleep(0.05)
        return time.perf_counter() - began

    def measure(send: Send, run: Callable[[Send], Load], stored: bool) -> dict:
        run_warm = closed_loop(port, send, args.concurrency, WARM_UP_SECONDS)
        assert run_warm.done, "no answer during the warm-up"
        drain()
        before_rows, cpu_before = rows(), _cpu(groups)
        began = time.perf_counter()
        if args.pause_worker and stored:
            os.killpg(processes[0].pid, signal.SIGSTOP)
        try:
            load = run(send)
        finally:
            if args.pause_worker and stored:
                os.killpg(processes[0].pid, signal.SIGCONT)
        cpu = {name: after - cpu_before[name] for name, after in _cpu(groups).items()}
        cpu["others"] = cpu.pop("machine") - sum(cpu.values())
        out = {"load": load, "cpu": cpu}
        if stored:
            out["stored"] = rows() - before_rows
            out["backlog"] = ReceivedWebhook.objects.filter(
                state=ReceivedWebhook.State.RECEIVED
            ).count()
            out["drain"] = drain()
            out["apply_rate"] = out["stored"] / (time.perf_counter() - began)
        return out

    def closed(send: Send) -> Load:
        return closed_loop(port, send, args.concurrency, args.seconds)

    def opened(send: Send) -> Load:
        return open_loop(port, send, args.rate, args.seconds, max(64, args.concurrency))

    results = {"closed": (measure(receiver, closed, True), measure(baseline, closed, False))}
    if args.rate:
        results["open"] = (measure(receiver, opened, True), measure(baseline, opened, False))

    states = dict(ReceivedWebhook.objects.order_by().values_list("state").annotate(_count()))
    distinct_keys = ReceivedWebhook.objects.order_by().values("dedupe_key").distinct().count()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0].split()[0]

    threads = f"{args.threads} threads each (gthread)" if args.threads > 1 else "sync"
    print(
        f"Webhook intake: gunicorn {args.workers} workers, {threads}; PostgreSQL {pg_version} "
        f"(CONN_MAX_AGE {args.conn_max_age}); Redis broker + cache; Celery worker "
        f"--concurrency {args.celery_concurrency} at nice {args.worker_nice}; "
        f"{os.cpu_count()} cores; loopback"
    )
    for mode, (rec, base) in results.items():
        if mode == "closed":
            print(f"\n  closed loop, {args.concurrency} connections, {args.seconds:.0f} s")
        else:
            print(f"\n  open loop, {args.rate:.0f} requests/s scheduled, {args.seconds:.0f} s")
        print(f"    receiver (202):  {rec['load'].summary()}")
        print(
            f"        stored {rec['stored']}; backlog at the end of the load {rec['backlog']}, "
            f"applied {rec['drain']:.1f} s later; worker apply rate {rec['apply_rate']:.0f}/s"
        )
        print(f"    baseline (401):  {base['load'].summary()}")
        for name, sample in (("receiver", rec), ("baseline", base)):
            cpu = sample["cpu"]
            used = ", ".join(f"{group} {seconds:.1f}" for group, seconds in cpu.items())
            print(
                f"        CPU s, {name}: {used} (of {os.cpu_count() * sample['load'].seconds:.0f})"
            )
        print(
            f"    ratio receiver / baseline: throughput "
            f"{rec['load'].per_second / base['load'].per_second:.2f}x, "
            f"p99 {rec['load'].pct(0.99) / base['load'].pct(0.99):.2f}x"
        )
    total = rows()
    duplicates = sum(receiver.duplicate_statuses.values())
    print(
        f"\n  duplicates re-sent: {duplicates}, answered {dict(receiver.duplicate_statuses)}; "
        f"rows {total} for {len(receiver.accepted)} deliveries accepted, "
        f"{distinct_keys} distinct dedupe keys; states {states}"
    )
    ok = (
        receiver.duplicate_statuses.get(200, 0) == duplicates
        and total == len(receiver.accepted) == distinct_keys
        and states.get(ReceivedWebhook.State.APPLIED, 0) == total
    )
    print(f"  checks: {'all passed' if ok else 'FAILED'}")
    if not ok:
        raise SystemExit(1)


def _count():
    from django.db.models import Count

    return Count("pk")


# -- set-up and teardown ----------------------------------------------------------------


def _database(action: str, name: str = DB_NAME) -> None:
    import psycopg

    with psycopg.connect(f"{PG} dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if action == "create":
            conn.execute(f"CREATE DATABASE {name}")


def _flush_redis(dbs: tuple[int, ...] = (BROKER_DB, CACHE_DB)) -> None:
    import redis

    for db in dbs:
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()


def _manage(workdir: Path, *command: str) -> None:
    with open(workdir / "manage.log", "a") as log:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if done.returncode:
        raise SystemExit(f"manage.py {command[0]} failed; see {workdir / 'manage.log'}")


def _fixture() -> tuple[str, str]:
    """A sandbox team with an endpoint and its four subscriptions, and the job the
    deliveries name, cached (else applying reads it from Willo first); the route and the
    new_response token."""
    from django.utils import timezone

    from dashboard.models import Team
    from willo_integration.models import CachedInterview, WebhookEndpoint, WebhookSubscription
    from willo_integration.services.webhooks import EVENTS, TOKEN_LENGTH, token_digest

    team = Team(name="Bench Intake", environment=Team.Environment.SANDBOX)
    team.set_api_key("bench-intake-key-000000000000000")
    team.save()
    endpoint = WebhookEndpoint.objects.create(team=team, public_url="https://bench.invalid/")
    CachedInterview.objects.create(
        team=team, key=BENCH_INTERVIEW["key"], title=BENCH_INTERVIEW["title"],
        fetched_at=timezone.now(),
    )  # fmt: skip
    tokens = {event: secrets.token_urlsafe(96)[:TOKEN_LENGTH] for event in EVENTS}
    WebhookSubscription.objects.bulk_create(
        WebhookSubscription(
            endpoint=endpoint,
            event=event,
            willo_key=f"bench-{event}",
            token_digest=token_digest(token),
        )
        for event, token in tokens.items()
    )
    return endpoint.route, tokens["new_response"]


def _start(
    workdir: Path, name: str, argv: list[str], *, nice: int = 0, env: dict | None = None
) -> subprocess.Popen:
    log = open(workdir / f"{name}.log", "w")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [sys.executable, *argv],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, for the fallback kill
    )
    if nice:
        # A new session is a new scheduler autogroup, where a process's own niceness only
        # ranks it against its group: give the group itself the niceness.
        with contextlib.suppress(OSError):
            Path(f"/proc/{process.pid}/autogroup").write_text(str(nice))
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PGRP, process.pid, nice)
    return process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _wait_http(port: int, process: subprocess.Popen, workdir: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {workdir / 'gunicorn.log'}")
        with contextlib.suppress(httpx.TransportError):
            httpx.post(f"http://127.0.0.1:{port}/webhooks/willo/ready/", timeout=2)
            return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def _gunicorn_argv(port: int, workers: int, *, threads: int = 1) -> list[str]:
    """The site on loopback, as production runs it (sync workers, or gthread)."""
    argv = ["-m", "gunicorn", "dashboard.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    if threads > 1:
        argv += ["--worker-class", "gthread", "--threads", str(threads)]
    return argv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- CPU accounting from /proc ----------------------------------------------------------


def _proc_table() -> dict[int, tuple[int, int, int]]:
    """pid -> (ppid, utime + stime, cutime + cstime), in clock ticks."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            table[int(entry)] = (
                int(fields[1]),
                int(fields[11]) + int(fields[12]),
                int(fields[13]) + int(fields[14]),
            )
    return table


def _cpu(groups: dict[str, int | None]) -> dict[str, float]:
    """CPU seconds used so far by each process tree (live processes, and the reaped
    children counted in the root's cutime), and by this process (the load generator)."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _own, _reaped) in table.items():
        children.setdefault(ppid, []).append(pid)
    used = {}
    for name, root in groups.items():
        if root is None or root not in table:
            continue
        ticks, stack = table[root][2], [root]
        while stack:
            pid = stack.pop()
            ticks += table[pid][1]
            stack.extend(children.get(pid, []))
        used[name] = ticks / CLK_TCK
    times = os.times()
    used["load generator"] = times.user + times.system
    used["machine"] = _machine_busy()
    return used


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (neither idle nor waiting on I/O)."""
    with open("/proc/stat") as stat:
        ticks = [int(n) for n in stat.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / CLK_TCK


def _root_pid(name: str) -> int | None:
    """The root process of a server (PostgreSQL, Redis): its parent has another name."""
    table = _proc_table()
    for pid, (ppid, _own, _reaped) in table.items():
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/comm").read_text().strip() != name:
                continue
            parent = Path(f"/proc/{ppid}/comm").read_text().strip() if ppid else ""
            if parent != name:
                return pid
    return None


if __name__ == "__main__":
    main()
