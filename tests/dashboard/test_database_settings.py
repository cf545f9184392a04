"""The database settings read from the environment: prepared statements on PostgreSQL,
WAL, a busy timeout and immediate transactions on SQLite."""

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


def test_sqlite_is_set_up_for_concurrent_writers():
    options = _options(DATABASE_URL="sqlite:////tmp/willo-settings-test.sqlite3")

    assert options == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20.0,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }


def test_postgresql_gets_none_of_the_sqlite_options():
    options = _options(DATABASE_URL="postgres://app@db.example.com:5432/willo")

    assert "transaction_mode" not in options
    assert "init_command" not in options


CONCURRENT_WRITERS = """
import sys, threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import F
from dashboard.models import Team
from willo_integration.models import CachedInterview
from django.utils import timezone

call_command("migrate", verbosity=0)
print(connection.cursor().execute("PRAGMA journal_mode").fetchone()[0])
team = Team.objects.create(name="Acme", environment="sandbox")
job = CachedInterview.objects.create(
    team=team, scope="", key="job", title="0", fetched_at=timezone.now()
)
errors = []

def write(n):
    try:
        for i in range(15):
            with transaction.atomic():
                row = CachedInterview.objects.get(pk=job.pk)  # read, then write: a lock upgrade
                CachedInterview.objects.filter(pk=row.pk).update(title=str(int(row.title) + 1))
                CachedInterview.objects.create(
                    team=team, scope="", key=f"job-{n}-{i}", title="x", fetched_at=timezone.now()
                )
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connections.close_all()

threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(CachedInterview.objects.get(pk=job.pk).title)
print(len(errors), errors[:1])
"""


def test_concurrent_writers_on_a_sqlite_file_never_see_database_is_locked(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    done = subprocess.run(
        [sys.executable, "-c", CONCURRENT_WRITERS],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
            "CACHE_URL": "locmemcache://concurrency",
        },
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    mode, counter, errors = done.stdout.split("\n")[:3]

    assert mode == "wal"
    assert errors == "0 []", errors
    assert counter == str(8 * 15)  # no update lost


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_a_query_run_again_and_again_is_prepared_once_on_the_server():
    for _ in range(6):
        list(CachedInterview.objects.filter(key="a-key-nobody-has"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]

    assert any('"willo_integration_cachedinterview"' in statement for statement in prepared)
