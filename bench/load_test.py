"""Load test: recruiters browsing and deciding while Willo's webhooks arrive.

    .venv/bin/python bench/load_test.py [--seconds 120] [--recruiters 50]
        [--webhooks-per-second 100] [--latency-ms 150] [--only warm|bypassed]

On loopback, in production settings (DEBUG off): a throwaway PostgreSQL database, Redis
as cache (db 6) and broker (db 7), gunicorn (``--web-workers``) and 2 Celery worker
processes; the Willo sandbox in its own process answering after ``--latency-ms``. The
team's cache is filled by a full sync first. Then locust (headless, bounded in time)
runs ``--recruiters`` recruiters (jobs list, job page, candidate page, decisions; 1 to 3 s
between clicks) and ``--webhooks-per-second`` new_response deliveries, twice (the web workers
warmed up by a few requests each first, and the figures counted once every user has
started):

- *warm*: pages read the cache (``WILLO_CACHE_TTL_SECONDS=300``);
- *bypassed* (the baseline): ``WILLO_CACHE_TTL_SECONDS=0``, so every page asks the
  sandbox first, at its latency.

Prints per page: requests, requests/s, p50 / p95 / p99, failures and 5xx; the targets
(no 5xx, pages' p95 under 300 ms, warm); and the ratios bypassed / warm.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from recruiter_pages import SANDBOX_KEY, _start_sandbox  # noqa: E402
from webhook_intake import (  # noqa: E402
    REDIS,
    _cpu,
    _database,
    _flush_redis,
    _free_port,
    _gunicorn_argv,
    _root_pid,
    _start,
    _stop,
)

DB_NAME = "willo_bench_load"
CACHE_DB, BROKER_DB = 6, 7
PAGES = ("jobs list", "job page", "candidate page", "decide")
SETUP = """
import json, secrets, sys, django
django.setup()
from dashboard.models import Membership, Team
from django.contrib.auth import get_user_model
from willo_integration.models import WebhookEndpoint, WebhookSubscription
from willo_integration.services.webhooks import token_digest
base_url, recruiters = sys.argv[1], int(sys.argv[2])
team = Team(name="Load Test", environment=Team.Environment.CUSTOM, custom_base_url=base_url)
team.set_api_key(sys.argv[3])
team.save()
# Signed in already (a session each, as Client.force_login makes it): the load measures
# browsing and deciding, not 50 password hashes at once.
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.conf import settings
logins = []
for n in range(recruiters):
    user = get_user_model().objects.create_user(f"recruiter{n}", password=secrets.token_hex(16))
    Membership.objects.create(user=user, team=team, role=Membership.Role.RECRUITER)
    browser = Client()
    browser.force_login(user)
    logins.append([browser.cookies[settings.SESSION_COOKIE_NAME].value, _get_new_csrf_string()])
endpoint = WebhookEndpoint.objects.create(team=team, public_url="https://load.invalid/")
token = secrets.token_urlsafe(48)
WebhookSubscription.objects.create(
    endpoint=endpoint, event="new_response", willo_key="w1", token_digest=token_digest(token)
)
print(json.dumps({"team": team.slug, "logins": logins, "webhook_route": endpoint.route,
                  "webhook_token": token}))
"""
KEYS = """
import json, sys, django
django.setup()
from willo_integration.models import CachedInterview, CachedParticipant
jobs = list(CachedInterview.objects.values_list("key", flat=True))
candidates = CachedParticipant.objects.exclude(detail=None)
print(json.dumps({
    "jobs": jobs,
    "candidates": list(candidates.values_list("key", flat=True)),
    "decidable": list(candidates.filter(status="Completed").values_list("key", flat=True)),
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--recruiters", type=int, default=50)
    parser.add_argument("--webhooks-per-second", type=float, default=100.0)
    parser.add_argument(
        "--webhook-senders", type=int, default=25, help="enough to keep the rate at 250 ms answers"
    )
    parser.add_argument("--latency-ms", type=int, default=150)
    parser.add_argument("--participants", type=int, default=180)
    parser.add_argument("--web-workers", type=int, default=5)
    parser.add_argument("--only", choices=["warm", "bypassed"], default=None)
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=10,
        help="the Celery workers' CPU niceness: on one box, pages are served first",
    )
    args = parser.parse_args()
    reference_ms = _reference_loop_ms()

    from cryptography.fernet import Fernet

    workdir = Path(tempfile.mkdtemp(prefix="willo-bench-load-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WILLO_"))},
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "false",
        # The sandbox it drives is on loopback: the operator's flag allows that host.
        "WILLO_ALLOW_PRIVATE_API_HOSTS": "true",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "WILLO_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # loopback has no TLS
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "DJANGO_CONN_MAX_AGE": "60",
        "CACHE_URL": f"{REDIS}/{CACHE_DB}",
        "CELERY_BROKER_URL": f"{REDIS}/{BROKER_DB}",
        "WILLO_REQUESTS_PER_SECOND": "100",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    sandbox_port = _free_port()
    sandbox = _start_sandbox(workdir, sandbox_port, args.latency_ms, participants=args.participants)
    base_url = f"http://127.0.0.1:{sandbox_port}/api/integrations/v2"
    results = {}
    try:
        _database("create", DB_NAME)
        _flush_redis((CACHE_DB, BROKER_DB))
        _run_manage(env, workdir, "migrate", "--noinput")
        _run_manage(env, workdir, "collectstatic", "--noinput")
        config = _python(env, SETUP, base_url, str(args.recruiters), SANDBOX_KEY)
        started = time.perf_counter()
        _run_manage(env, workdir, "willo_sync", "--team", config["team"], "--full")
        synced = time.perf_counter() - started
        config |= _python(env, KEYS)
        config |= {
            "recruiters": args.recruiters,
            "webhook_senders": args.webhook_senders,
            "webhooks_per_second": args.webhooks_per_second,
        }
        (workdir / "config.json").write_text(json.dumps(config))
        print(
            f"Set-up: {len(config['jobs'])} jobs, {len(config['candidates'])} candidates synced "
            f"in {synced:.0f} s; {args.recruiters} recruiters"
        )
        for mode, ttl in (("warm", 300), ("bypassed", 0)):
            if args.only in (None, mode):
                results[mode] = _load(
                    args, env | {"WILLO_CACHE_TTL_SECONDS": str(ttl)}, workdir, mode, sandbox.pid
                )
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
        _database("drop", DB_NAME)
        _flush_redis((CACHE_DB, BROKER_DB))
    _report(args, results, reference_ms)
    print(f"  (logs and CSV in {workdir})")


def _load(args, env: dict[str, str], workdir: Path, mode: str, sandbox_pid: int) -> dict:
    """One bounded locust run against gunicorn and 2 workers; the stats by request name."""
    port = _free_port()
    processes = []
    try:
        for n in (1, 2):
            processes.append(
                _start(
                    workdir,
                    f"{mode}-worker{n}",
                    [
                        "-m",
                        "celery",
                        "-A",
                        "dashboard",
                        "worker",
                        "--loglevel",
                        "warning",
                        "--concurrency",
                        "1",
                        "-n",
                        f"load{n}@%h",
                    ],
                    nice=args.worker_nice,
                    env=env,
                )
            )
        processes.append(
            _start(
                workdir,
                f"{mode}-gunicorn",
                _gunicorn_argv(port, args.web_workers),
                env=env,
            )
        )
        _wait_ready(port)
        _warm_up(port, json.loads((workdir / "config.json").read_text()), args.web_workers)
        groups = {
            "gunicorn": processes[2].pid,
            "celery workers": processes[0].pid,
            "celery worker 2": processes[1].pid,
            "postgresql": _root_pid("postgres"),
            "redis": _root_pid("redis-server"),
            "sandbox": sandbox_pid,
        }
        before, locust_before = _cpu(groups), _children_cpu()
        users = args.recruiters + args.webhook_senders
        subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
             "--headless", "--users", str(users), "--spawn-rate", "25",
             "--run-time", f"{args.seconds}s", "--host", f"http://127.0.0.1:{port}",
             "--csv", str(workdir / mode), "--only-summary", "--stop-timeout", "10",
             "--reset-stats",
             "--loglevel", "WARNING"],
            cwd=ROOT, env={**env, "LOAD_TEST_CONFIG": str(workdir / "config.json")},
            stdout=(workdir / f"{mode}-locust.log").open("w"), stderr=subprocess.STDOUT,
            check=False,
        )  # fmt: skip
        after = _cpu(groups)
        cpu = {name: after[name] - before[name] for name in after if name in before}
        cpu["celery workers"] += cpu.pop("celery worker 2")
        cpu.pop("load generator")
        cpu["locust"] = _children_cpu() - locust_before
        cpu["others"] = cpu.pop("machine") - sum(cpu.values())
    finally:
        for process in reversed(processes):
            _stop(process)
    return _stats(workdir, mode) | {"cpu": cpu, "seconds": args.seconds}


def _warm_up(port: int, config: dict, web_workers: int) -> None:
    """Each page a few times per web worker before the clock starts: a fresh process
    compiles its templates and opens its connections on its first requests, which is not
    what a recruiter meets on a server that has been up for a while."""
    import httpx

    session, _csrf = config["logins"][0]
    team = f"/teams/{config['team']}"
    paths = [f"{team}/jobs/", f"{team}/jobs/{config['jobs'][0]}/"]
    paths.append(f"{team}/candidates/{config['candidates'][0]}/")
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        for _ in range(3 * web_workers):
            for path in paths:
                client.get(path, headers={"Cookie": f"sessionid={session}"})


def _children_cpu() -> float:
    """CPU seconds of this process's reaped children (locust, once it has exited)."""
    times = os.times()
    return times.children_user + times.children_system


def _stats(workdir: Path, mode: str) -> dict:
    rows = {}
    with (workdir / f"{mode}_stats.csv").open() as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = row
    server_errors: dict[str, int] = {}
    with (workdir / f"{mode}_failures.csv").open() as f:
        for row in csv.DictReader(f):
            # requests: "500 Server Error: ..."; FastHttpUser: "BadStatusCode(..., code=500)"
            if re.search(r"\b5\d\d Server Error|code=5\d\d", row["Error"]):
                server_errors[row["Name"]] = server_errors.get(row["Name"], 0) + int(
                    row["Occurrences"]
                )
    return {"rows": rows, "server_errors": server_errors}


def _reference_loop_ms() -> float:
    """Milliseconds for a fixed pure-Python loop on one core, best of 5, measured before the
    set-up: this machine's speed varies by the hour (by 2x seen here), so runs are compared
    with it in mind rather than figure against figure."""
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        timings.append(time.perf_counter() - started)
    return min(timings) * 1000


def _report(args, results: dict, reference_ms: float) -> None:
    print(
        f"\nLoad test, {args.seconds} s: {args.recruiters} recruiters (1-3 s apart) and "
        f"{args.webhooks_per_second:g} webhooks/s; gunicorn {args.web_workers} workers, 2 Celery "
        f"workers, PostgreSQL, Redis; sandbox at {args.latency_ms} ms; {os.cpu_count()} cores, "
        f"reference loop {reference_ms:.0f} ms"
    )
    for mode, result in results.items():
        print(f"\n  {mode}:")
        print(f"    {'request':<16}{'count':>8}{'per s':>8}{'p50':>8}{'p95':>8}{'p99':>8}"
              f"{'fails':>7}{'5xx':>6}")  # fmt: skip
        for name in (*PAGES, "webhook", "login", "Aggregated"):
            row = result["rows"].get(name)
            if row is None:
                continue
            print(
                f"    {name:<16}{row['Request Count']:>8}{float(row['Requests/s']):>8.1f}"
                f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}{row['Failure Count']:>7}"
                f"{result['server_errors'].get(name, 0):>6}"
            )
        used = ", ".join(f"{group} {seconds:.0f}" for group, seconds in result["cpu"].items())
        print(f"    CPU s: {used} (of {os.cpu_count() * result['seconds']})")
    warm = results.get("warm")
    if warm:
        pages_p95 = {n: int(warm["rows"][n]["95%"]) for n in PAGES if n in warm["rows"]}
        server_errors = sum(warm["server_errors"].values())
        met = server_errors == 0 and all(p95 < 300 for p95 in pages_p95.values())
        print(
            f"\n  targets (warm): 5xx {server_errors}; pages' p95 "
            f"{', '.join(f'{n} {v} ms' for n, v in pages_p95.items())}: "
            f"{'met' if met else 'NOT met'}"
        )
    if warm and "bypassed" in results:
        bypassed = results["bypassed"]
        ratios = ", ".join(
            f"{n} {int(bypassed['rows'][n]['95%']) / max(1, int(warm['rows'][n]['95%'])):.1f}x"
            for n in PAGES
            if n in bypassed["rows"] and n in warm["rows"]
        )
        throughput = float(warm["rows"]["Aggregated"]["Requests/s"]) / max(
            0.01, float(bypassed["rows"]["Aggregated"]["Requests/s"])
        )
        print(
            f"  ratio bypassed / warm, p95: {ratios}; throughput warm / bypassed {throughput:.2f}x"
        )


def _run_manage(env: dict[str, str], workdir: Path, *command: str) -> None:
    with (workdir / "manage.log").open("a") as log:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"manage.py {command[0]} failed; see {workdir / 'manage.log'}")


def _python(env: dict[str, str], script: str, *argv: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", script, *argv], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _wait_ready(port: int) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn was not ready within 60 s")


if __name__ == "__main__":
    main()
