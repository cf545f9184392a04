"""Production settings: `check --deploy` is clean, and missing secrets stop start-up by name."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**overrides: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "WILLO_", "AXES_", "CELERY_", "DASHBOARD_", "EMAIL_"))
        and k not in ("DATABASE_URL", "CACHE_URL", "REDIS_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        WILLO_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="dashboard.example.com",
        DASHBOARD_PUBLIC_URL="https://dashboard.example.com",
        CELERY_BROKER_URL="redis://broker.example.com:6379/0",  # not reached by a check
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "tasks",
    [{}, {"CELERY_BROKER_URL": None, "WILLO_ALLOW_EAGER_TASKS": "true"}],
    ids=["broker", "eager tasks allowed"],
)
def test_it_passes_check_deploy_with_the_documented_environment(tasks):
    result = _check(_production_env(**tasks))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_warns_that_links_in_emails_need_the_public_address():
    result = _check(_production_env(DASHBOARD_PUBLIC_URL=None))

    assert result.returncode != 0
    assert "dashboard.W001" in result.stdout + result.stderr
    assert (
        "DASHBOARD_PUBLIC_URL is not an absolute http(s) address" in result.stdout + result.stderr
    )


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "WILLO_ENCRYPTION_KEYS"])
def test_it_names_a_missing_secret(name):
    result = _check(_production_env(**{name: None}))

    assert result.returncode != 0
    assert f"Set the {name} environment variable" in result.stderr


def test_it_refuses_an_unusable_encryption_key():
    result = _check(_production_env(WILLO_ENCRYPTION_KEYS="sekrit-but-not-fernet"))

    assert result.returncode != 0
    assert "WILLO_ENCRYPTION_KEYS entry 1 is not a valid Fernet key" in result.stderr
    assert "sekrit-but-not-fernet" not in result.stderr


def test_it_keeps_the_sandbox_off_in_production():
    code = "from django.conf import settings; print(settings.WILLO_SANDBOX_ENABLED)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr
