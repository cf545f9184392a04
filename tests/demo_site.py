"""The ``demo_site`` fixture: the demo as `make demo` runs it, for tests of work that
happens later and by itself (undo windows, sweeps, resumes).

In a temporary folder: a SQLite file migrated and seeded by ``demo_setup`` (20 candidates;
made once per test process, copied for each test), then ``manage.py demo_serve`` on a free
port — the web process (which serves the sandbox) and a real Celery worker with its beat on
the filesystem broker, each Willo call made over HTTP to that web process. Beat's sweeps run
every second. The test gets a ``DemoSite``; everything is stopped (as Ctrl-C would) after it.

    def test_it_sends_what_is_due(demo_site):
        demo_site.url                                  # http://127.0.0.1:<port>
        demo_site.shell("print(Team.objects.count())")  # code in the site's environment
        demo_site.rows("SELECT state FROM dashboard_decision")
        demo_site.log()                                # what the processes printed so far

More environment for the site (``WILLO_DECISION_UNDO_SECONDS``, say): override the
``demo_site_env`` fixture in the test module.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.services.conftest import wait_for

ROOT = Path(__file__).resolve().parents[1]
# Every sweep of beat's schedule each second, so a test waits seconds, not minutes.
QUICK_BEAT = {
    "WILLO_WEBHOOK_SWEEP_SECONDS": "1",
    "WILLO_DECISION_SWEEP_SECONDS": "1",
    "WILLO_SYNC_SWEEP_SECONDS": "1",
    # The sandbox stays still unless a test asks for its life (demo_site_env).
    "WILLO_SANDBOX_SIMULATE_SECONDS": "0",
}
INHERITED_NOT = ("DATABASE_URL", "CACHE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER")


def _site_env(folder: Path, port: int, extra: dict[str, str]) -> dict[str, str]:
    """The test process's environment without its own site's settings, and the demo's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "WILLO_", "CELERY_")) and k not in INHERITED_NOT
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "WILLO_DEMO_DIR": str(folder / "demo"),
        "WILLO_SANDBOX_BASE_URL": f"http://127.0.0.1:{port}/api/integrations/v2",
        "PYTHONUNBUFFERED": "1",
        **QUICK_BEAT,
        **extra,
    }


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    if done.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DemoSite:
    """A running demo: its URL, its database, its environment and its output."""

    def __init__(self, folder: Path, port: int, env: dict[str, str]) -> None:
        self.folder = folder
        self.url = f"http://127.0.0.1:{port}"
        self.database = folder / "db.sqlite3"
        self.env = env
        self.log_path = folder / "demo_serve.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> DemoSite:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "demo_serve", self.url.removeprefix("http://"),
             "--noreload"],
            cwd=ROOT, env=self.env, stdout=self.log_path.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_for(self._up, timeout=60)
        return self

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"demo_serve stopped:\n{self.log()}")
        log = self.log()
        if not (re.search(r"worker \| .*celery@\S+ ready\.", log) and "beat: Starting" in log):
            return False
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def shell(self, code: str) -> str:
        """Run ``code`` with ``manage.py shell`` in the site's environment; its output."""
        return _manage(self.env, "shell", "-c", code)

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with sqlite3.connect(self.database, timeout=20) as db:
            return db.execute(sql, params).fetchall()

    def pids(self) -> dict[str, int]:
        """The process ids of the web process and the worker, as demo_serve printed them."""
        return {
            name: int(pid)
            for name, pid in re.findall(r"system \| (\w+) started \(pid=(\d+)\)", self.log())
        }

    def stop(self) -> int | None:
        """Ctrl-C, as a person at the terminal would; demo_serve's exit status."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for pid in [*self.pids().values(), self.process.pid]:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
            raise AssertionError(f"Ctrl-C did not stop the demo:\n{self.log()}") from None


@pytest.fixture(scope="session")
def demo_site_database(tmp_path_factory) -> Path:
    """Migrated and seeded once per test process; each demo_site gets a copy."""
    folder = tmp_path_factory.mktemp("demo-site-database")
    env = _site_env(folder, 8000, {})
    _manage(env, "migrate", "--noinput", "-v", "0")
    # Served on another port than it is set up for: webhooks would post to the wrong one.
    _manage(env, "demo_setup", "--participants", "20", "--without-webhooks")
    with sqlite3.connect(folder / "db.sqlite3") as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return folder / "db.sqlite3"


@pytest.fixture
def demo_site_env() -> dict[str, str]:
    """More environment for the demo site's processes; override it in a test module."""
    return {}


@pytest.fixture
def demo_site(demo_site_database, demo_site_env, tmp_path) -> Iterator[DemoSite]:
    shutil.copy(demo_site_database, tmp_path / "db.sqlite3")
    port = _free_port()
    site = DemoSite(tmp_path, port, _site_env(tmp_path, port, demo_site_env))
    try:
        yield site.start()
    finally:
        site.stop()
