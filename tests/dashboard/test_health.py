"""/healthz and /readyz: what load balancers and operators probe."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def test_healthz_reports_each_part_and_the_last_webhooks_age(client, world):
    world.team_a.last_webhook_at = timezone.now() - timedelta(seconds=90)
    world.team_a.save()

    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"] == body["checks"]["cache"] == "ok"
    assert body["checks"]["broker"].startswith("ok")
    assert 89 <= body["last_webhook_age_seconds"] <= 120
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_says_where_tasks_run_never_the_brokers_password(client, db, settings):
    eager = client.get("/healthz").json()["tasks"]
    settings.WILLO_IN_PROCESS_BEAT = True
    eager_with_beat = client.get("/healthz").json()["tasks"]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://:hunter2@redis.internal:6379/0"
    with_broker = client.get("/healthz").content.decode()

    assert eager == "eager, in the process that enqueues them"
    assert eager_with_beat == "eager, in the web process, which runs the beat schedule itself"
    assert '"tasks": "redis broker, Celery workers and beat"' in with_broker
    assert "hunter2" not in with_broker


def test_healthz_is_503_naming_the_part_that_fails(client, db, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(cache, "set", down)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "failing"
    assert "cache unreachable" in response.json()["checks"]["cache"]


def test_readyz_checks_the_database_is_migrated(client, db):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok"},
    }


def test_readyz_is_503_with_migrations_pending(client, db, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])

    response = client.get("/readyz")

    assert response.status_code == 503
    assert "1 migration(s) not applied" in response.json()["checks"]["migrations"]
