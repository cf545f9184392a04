"""The database settings read from the environment: prepared statements on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from willo_integration.models import CachedInterview

ROOT = Path(__file__).resolve().parents[2]
PRINT_OPTIONS = (
    "import json; from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
)


def _options(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PRINT_OPTIONS}"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DJANGO_DEBUG": "true",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_postgresql_binds_parameters_on_the_server_and_prepares_repeated_statements():
    options = _options(DATABASE_URL="postgres://app@db.example.com:5432/willo")

    assert options == {"server_side_binding": True, "prepare_threshold": 5}


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler():
    options = _options(
        DATABASE_URL="postgres://app@db.example.com:5432/willo",
        DJANGO_DB_PREPARED_STATEMENTS="false",
    )

    assert options == {}


def test_sqlite_has_no_such_options():
    assert _options(DATABASE_URL="sqlite:////tmp/willo-settings-test.sqlite3") == {}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_query_run_again_and_again_is_prepared_once_on_the_server():
    for _ in range(6):
        list(CachedInterview.objects.filter(key="a-key-nobody-has"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]

    assert any('"willo_integration_cachedinterview"' in statement for statement in prepared)
