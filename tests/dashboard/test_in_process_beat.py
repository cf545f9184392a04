"""The beat schedule run by the web process itself when tasks run eagerly: each entry's
task, at its interval, in a thread of its own; a failure is logged and the schedule goes
on; never two runs at once; started by a serving web process only, once per process."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from celery import shared_task

from dashboard import in_process_beat
from tests.services.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
RUNS: list[tuple[str, str]] = []  # (label, the thread it ran in)
RUNNING: list[int] = []  # how many runs were in progress when each started


@shared_task(name="tests.in_process_beat.record")
def record(label: str) -> None:
    RUNS.append((label, threading.current_thread().name))


@shared_task(name="tests.in_process_beat.fail_once")
def fail_once() -> None:
    if not any(label == "failed" for label, _thread in RUNS):
        RUNS.append(("failed", threading.current_thread().name))
        raise RuntimeError("Willo is down")
    RUNS.append(("recovered", threading.current_thread().name))


_active = {"runs": 0}
_active_lock = threading.Lock()


@shared_task(name="tests.in_process_beat.slow")
def slow() -> None:
    with _active_lock:
        _active["runs"] += 1
        RUNNING.append(_active["runs"])
    time.sleep(0.1)
    with _active_lock:
        _active["runs"] -= 1
    RUNS.append(("slow", threading.current_thread().name))


@pytest.fixture
def beat_with():
    """Start this process's in-process beat on the test's schedule; stopped afterwards."""
    from dashboard.celery import app

    saved = app.conf.beat_schedule

    def start(schedule: dict) -> None:
        app.conf.beat_schedule = schedule
        in_process_beat.start()

    yield start
    in_process_beat.stop()
    app.conf.beat_schedule = saved
    RUNS.clear()
    RUNNING.clear()


def _labels() -> list[str]:
    return [label for label, _thread in RUNS]


def test_it_runs_each_entrys_task_at_its_interval_in_its_own_thread(beat_with):
    beat_with({
        "first": {"task": "tests.in_process_beat.record", "schedule": 0.05, "args": ["first"]},
        "second": {"task": "tests.in_process_beat.record", "schedule": 0.05, "args": ["second"]},
    })  # fmt: skip

    wait_for(lambda: _labels().count("first") >= 3 and _labels().count("second") >= 3)
    assert {thread for _label, thread in RUNS} == {"in-process-beat"}


def test_a_failing_task_is_logged_and_the_schedule_goes_on(beat_with, caplog):
    caplog.set_level(logging.ERROR)
    beat_with({"flaky": {"task": "tests.in_process_beat.fail_once", "schedule": 0.05}})

    wait_for(lambda: "recovered" in _labels())
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any("Willo is down" in r.getMessage() for r in failures)
    assert _labels()[:2] == ["failed", "recovered"]


def test_an_entry_naming_no_task_is_logged_and_the_others_run(beat_with, caplog):
    caplog.set_level(logging.ERROR)
    beat_with({
        "typo": {"task": "tests.in_process_beat.no_such_task", "schedule": 0.05},
        "first": {"task": "tests.in_process_beat.record", "schedule": 0.05, "args": ["first"]},
    })  # fmt: skip

    wait_for(lambda: _labels().count("first") >= 2)
    assert any("typo names no known task" in r.getMessage() for r in caplog.records)


def test_a_run_never_overlaps_the_one_before(beat_with):
    beat_with({"slow": {"task": "tests.in_process_beat.slow", "schedule": 0.01}})

    wait_for(lambda: _labels().count("slow") >= 3)
    assert set(RUNNING) == {1}


SERVE = """
import json, os, threading, time
from wsgiref.util import setup_testing_defaults
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
from dashboard.models import Team
from willo_integration.models import ReceivedWebhook

call_command("migrate", verbosity=0)
team = Team.objects.create(name="Acme", environment=Team.Environment.SANDBOX)
# Stored a minute ago and never applied: the webhook sweep's to find.
stored = ReceivedWebhook.objects.create(team=team, event="new_response", dedupe_key="d", body="{}")
ReceivedWebhook.objects.filter(pk=stored.pk).update(
    received_at=timezone.now() - timezone.timedelta(minutes=1)
)

def beats():
    return sum(t.name == "in-process-beat" for t in threading.enumerate())

def get(application, path):
    environ = {"PATH_INFO": path}
    setup_testing_defaults(environ)
    return b"".join(application(environ, lambda status, headers: None))

def stored_state():
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = ReceivedWebhook.objects.get(pk=stored.pk).state
        if state != "received":
            return state
        time.sleep(0.1)
    return "received"

seen = {"before": beats()}
from dashboard.wsgi import application
seen["imported"] = beats()
get(application, "/healthz")
get(application, "/healthz")
seen["after_two_requests"] = beats()
seen["stored"] = stored_state()
print(json.dumps(seen), flush=True)
pid = os.fork()  # as gunicorn forks its workers
if pid == 0:
    forked = {"forked_before_a_request": beats()}
    get(application, "/healthz")
    forked["forked_after_a_request"] = beats()
    print(json.dumps(forked), flush=True)
    os._exit(0)
os.waitpid(pid, 0)
"""

COMMAND = """
import threading
from django.test import Client
Client().get("/healthz")
print(sum(t.name == "in-process-beat" for t in threading.enumerate()))
"""


def _eager_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "WILLO_", "CELERY_"))
        and k not in ("DATABASE_URL", "CACHE_URL", "REDIS_URL")
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "WILLO_ALLOW_EAGER_TASKS": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_LOG_LEVEL": "CRITICAL",
        "WILLO_WEBHOOK_SWEEP_SECONDS": "0.2",
    }


def test_the_web_process_runs_the_schedule_from_its_first_request_once_per_process(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SERVE], cwd=ROOT, env=_eager_env(tmp_path),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    parent, child = (json.loads(line) for line in done.stdout.strip().splitlines()[-2:])
    # The sweep found the stored delivery and applied it (its empty body fails it).
    assert parent == {"before": 0, "imported": 0, "after_two_requests": 1, "stored": "failed"}
    assert child == {"forked_before_a_request": 0, "forked_after_a_request": 1}


def test_a_management_command_does_not_start_it(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", COMMAND], cwd=ROOT,
        env=_eager_env(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "0"
