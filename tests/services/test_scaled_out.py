"""The README's scaled-out recipe, on loopback: the Procfile's processes started from the
environment alone (production settings, PostgreSQL, Redis), two web processes, two
workers and one beat; both web processes ready, and a webhook delivered to either is
applied by a worker."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import redis
from cryptography.fernet import Fernet

from tests.services.conftest import ROOT, WORKER_LOGS, wait_for
from tests.willo_integration.services.test_webhooks import participant_body

DATABASE = f"willo_scaled_{os.getpid()}"
BROKER_DB, CACHE_DB = 14, 15
SETUP = """
import json, secrets, django
django.setup()
from dashboard.models import Team
from django.utils import timezone
from willo_integration.models import CachedInterview, WebhookEndpoint, WebhookSubscription
from willo_integration.services.webhooks import token_digest
team = Team(name="Scaled", environment=Team.Environment.SANDBOX, agency_checked_at=timezone.now())
team.set_api_key("scaled-key-0000000000000000000000")
team.save()
# The job the deliveries name is cached: there is no Willo here to read it from.
CachedInterview.objects.create(team=team, key="int1", title="Barista", fetched_at=timezone.now())
endpoint = WebhookEndpoint.objects.create(team=team, public_url="https://scaled.invalid/")
token = secrets.token_urlsafe(48)
WebhookSubscription.objects.create(
    endpoint=endpoint, event="new_response", willo_key="w1", token_digest=token_digest(token)
)
print(json.dumps({"route": endpoint.route, "token": token}))
"""


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def environment() -> Iterator[dict[str, str]]:
    """Only what an operator sets: production settings from environment variables."""
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DATABASE}")
    for db in (BROKER_DB, CACHE_DB):
        redis.Redis(db=db).flushdb()
    keep = ("PATH", "HOME", "LANG", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        WILLO_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",  # loopback has no TLS
        WILLO_ALLOW_PRIVATE_API_HOSTS="true",  # its team's Willo is on loopback
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        CACHE_URL=f"redis://127.0.0.1:6379/{CACHE_DB}",
        CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{BROKER_DB}",
        DJANGO_STATIC_ROOT=str(WORKER_LOGS / f"static-{os.getpid()}"),
        WEB_CONCURRENCY="2",
    )
    yield env
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@pytest.fixture
def recipe(environment) -> Iterator[tuple[dict[str, str], list[int], list[Path]]]:
    procfile = _procfile()
    WORKER_LOGS.mkdir(exist_ok=True)
    subprocess.run(["bash", "-c", procfile["release"]], cwd=ROOT, env=environment, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=environment, check=True,
    )  # fmt: skip
    ports = [_free_port(), _free_port()]
    started: list[tuple[subprocess.Popen, Path]] = []
    plan = [("web", {"PORT": str(port)}) for port in ports]
    plan += [("worker", {}), ("worker", {}), ("beat", {})]
    for n, (kind, extra) in enumerate(plan):
        log = WORKER_LOGS / f"scaled-{os.getpid()}-{n}-{kind}.log"
        command = procfile[kind]
        if kind == "worker":  # two workers on one host need two names
            command += f" --hostname scaled{n}@%h"
        process = subprocess.Popen(
            ["bash", "-c", f"exec {command}"], cwd=ROOT, env={**environment, **extra},
            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        started.append((process, log))
    yield environment, ports, [log for _process, log in started]
    for process, _log in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process, _log in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_the_scaled_out_recipe_serves_and_applies_webhooks(recipe):
    environment, ports, logs = recipe
    for port in ports:
        wait_for(lambda port=port: _ready(port), timeout=60)
    wait_for(lambda: all("ready" in log.read_text() for log in logs[2:4]), timeout=60)
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env={**environment,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings"}, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    fixture = json.loads(setup.stdout.strip().splitlines()[-1])

    health = [httpx.get(f"http://127.0.0.1:{port}/healthz").json() for port in ports]
    answers = []
    for n, port in enumerate(ports):
        body = participant_body(f"scaled-participant-{n}")
        answers.append(
            httpx.post(
                f"http://127.0.0.1:{port}/webhooks/willo/{fixture['route']}/",
                json=body,
                headers={"Authorization": fixture["token"]},
            )
        )

    assert [h["status"] for h in health] == ["ok", "ok"]
    assert {h["checks"]["broker"] for h in health} == {"ok"}
    assert [a.status_code for a in answers] == [202, 202]
    assert all(re.fullmatch(r"[0-9a-f]{32}", a.headers["X-Request-ID"]) for a in answers)

    def applied() -> bool:
        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={DATABASE}") as c:
            states = c.execute("SELECT state FROM willo_integration_receivedwebhook").fetchall()
        return sorted(s for (s,) in states) == ["applied", "applied"]

    wait_for(applied, timeout=60)
    assert "beat: Starting" in logs[4].read_text()
