"""Where tasks run, read from the environment at start-up: a broker when one is given;
under DEBUG without one, the demo's filesystem broker (not eager); in production without
one, nothing starts unless WILLO_ALLOW_EAGER_TASKS lets tasks run in the web process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.dashboard.test_deploy_check import _production_env

ROOT = Path(__file__).resolve().parents[2]
PRINT_MODE = """
import json, django
django.setup()
from django.conf import settings
from dashboard.celery import app
print(json.dumps({
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "transport": app.conf.broker_transport,
    "transport_options": app.conf.broker_transport_options,
    "remote_control": app.conf.worker_enable_remote_control,
    "cache": settings.CACHES["default"],
    "in_process_beat": settings.WILLO_IN_PROCESS_BEAT,
}))
"""


def _load(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PRINT_MODE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _mode(env: dict[str, str]) -> dict:
    done = _load(env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _development_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "WILLO_", "CELERY_"))
        and k not in ("REDIS_URL", "CACHE_URL")
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_DEBUG": "true",
        "WILLO_DEMO_DIR": str(tmp_path / "demo"),
        **extra,
    }


def test_development_without_a_broker_uses_the_demos_filesystem_broker(tmp_path):
    mode = _mode(_development_env(tmp_path))

    demo = tmp_path / "demo"
    assert mode["eager"] is False
    assert mode["broker"].startswith("filesystem://")
    assert mode["transport"] == "dashboard.demo_broker:Transport"
    assert mode["transport_options"]["data_folder_in"] == str(demo / "broker" / "messages")
    assert mode["transport_options"]["data_folder_out"] == str(demo / "broker" / "messages")
    assert (demo / "broker" / "messages").is_dir()
    assert mode["remote_control"] is False
    # The worker and the web process share one cache, as they would share Redis.
    assert mode["cache"]["BACKEND"].endswith("FileBasedCache")
    assert mode["cache"]["LOCATION"] == str(demo / "cache")
    assert mode["in_process_beat"] is False


def test_development_with_a_broker_uses_it(tmp_path):
    mode = _mode(_development_env(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/9"))

    assert (mode["eager"], mode["broker"]) == (False, "redis://127.0.0.1:6379/9")
    assert not (tmp_path / "demo").exists()


def test_development_may_run_tasks_eagerly_with_the_beat_in_the_web_process(tmp_path):
    mode = _mode(_development_env(tmp_path, WILLO_ALLOW_EAGER_TASKS="true"))

    assert (mode["eager"], mode["broker"]) == (True, "memory://")
    assert mode["in_process_beat"] is True
    assert mode["cache"]["BACKEND"].endswith("LocMemCache")  # one process


def test_production_without_a_broker_refuses_to_start_naming_both_ways_out():
    done = _load(_production_env(CELERY_BROKER_URL=None))

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "CELERY_BROKER_URL" in done.stderr
    assert "WILLO_ALLOW_EAGER_TASKS=true" in done.stderr


def test_production_allowed_eager_tasks_runs_them_and_the_beat_in_the_web_process():
    mode = _mode(_production_env(CELERY_BROKER_URL=None, WILLO_ALLOW_EAGER_TASKS="true"))

    assert (mode["eager"], mode["broker"]) == (True, "memory://")
    assert mode["in_process_beat"] is True


def test_a_broker_wins_over_the_permission_to_run_eagerly():
    mode = _mode(_production_env(WILLO_ALLOW_EAGER_TASKS="true"))

    assert mode["eager"] is False
    assert mode["broker"].startswith("redis://")
    assert mode["in_process_beat"] is False
