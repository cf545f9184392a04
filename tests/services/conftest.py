"""The services suite: real PostgreSQL, a Redis broker and a real Celery worker process.

Runs only on PostgreSQL (`make test-services`, which `.ci/run` calls); on the default
SQLite path these tests are skipped, since a worker process cannot share SQLite's
in-memory test database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKER_LOGS = ROOT / "tests" / "services" / "logs"


def pytest_collection_modifyitems(config, items):
    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    for item in items:
        if "tests/services/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.services)
            item.add_marker(pytest.mark.xdist_group("services"))
            if not on_postgres:
                item.add_marker(pytest.mark.skip(reason="the services suite runs on PostgreSQL"))


def _broker_url() -> str:
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    return f"redis://127.0.0.1:6379/{10 + worker}"


@pytest.fixture
def redis_broker(settings) -> Iterator[str]:
    """This process publishes tasks to a real Redis broker (not eagerly) for the test."""
    from dashboard.celery import app

    url = _broker_url()
    redis.Redis.from_url(url).flushdb()
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(task_always_eager=False, broker_url=url)
    app.amqp._producer_pool = None
    app._pool = None
    yield url
    app.conf.update(**saved)
    app.amqp._producer_pool = None
    app._pool = None


class Worker:
    """A `celery worker` process on the test database and the Redis broker; with ``beat``,
    the beat scheduler runs embedded in it (its schedule file in a directory of its own).
    ``env`` adds to or overrides the settings it reads from its environment."""

    REQUESTS_PER_SECOND = 100  # its Willo client's limit

    def __init__(
        self,
        broker: str,
        live_server_url: str,
        *,
        beat: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.broker = broker
        self.beat = beat
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
                **{k: connection.settings_dict[k] or "" for k in ("USER", "HOST", "PORT", "NAME")}
            ),
            "CELERY_BROKER_URL": broker,
            "WILLO_SANDBOX_BASE_URL": f"{live_server_url}/api/integrations/v2",
            "WILLO_REQUESTS_PER_SECOND": str(self.REQUESTS_PER_SECOND),
            **(env or {}),
        }
        self.schedule_dir: tempfile.TemporaryDirectory | None = None
        self.process: subprocess.Popen | None = None
        self.started = 0
        self.log_path = WORKER_LOGS / "unstarted.log"

    def start(self) -> Worker:
        WORKER_LOGS.mkdir(exist_ok=True)
        self.started += 1
        self.log_path = WORKER_LOGS / f"worker-{os.getpid()}-{id(self)}-{self.started}.log"
        log = open(self.log_path, "w")  # noqa: SIM115 - the process writes it
        beat = []
        if self.beat:
            self.schedule_dir = tempfile.TemporaryDirectory(prefix="willo-beat-")
            beat = ["--beat", "--schedule", str(Path(self.schedule_dir.name) / "schedule")]
        # A session of its own: killing the group ends an embedded beat's process too.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "dashboard", "worker", "--pool", "solo",
             "--loglevel", "info", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--hostname", f"test{os.getpid()}-{self.started}@%h", *beat],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        return self

    def log(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        """As the OOM killer would: no chance to acknowledge or requeue anything."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._clean_up()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._clean_up()

    def _clean_up(self) -> None:
        if self.schedule_dir is not None:
            self.schedule_dir.cleanup()
            self.schedule_dir = None


@pytest.fixture
def celery_worker_process(redis_broker, live_server) -> Iterator[Worker]:
    worker = Worker(redis_broker, live_server.url).start()
    yield worker
    worker.stop()


def wait_for(condition: Callable[[], object], *, timeout: float = 30, every: float = 0.2):
    """Poll ``condition`` until it is truthy; its last value, or AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s")
        time.sleep(every)
