"""For load balancers and operators: ``/healthz`` (is every part this process needs
answering?) and ``/readyz`` (may this process take traffic: database reachable and
migrated?). JSON, no session, nothing secret: each check says ok or what failed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from willo_integration.services.health import webhook_last_received_at

logger = logging.getLogger("dashboard.health")


def _database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _cache() -> str:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("the cache did not give back what was stored")
    return "ok"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "ok (eager: tasks run in the web process)"
    from dashboard.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _tasks() -> str:
    """Where tasks run, for the operator (the broker's scheme only: its URL may hold a
    password)."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return f"{settings.CELERY_BROKER_URL.partition('://')[0]} broker, Celery workers and beat"
    if settings.WILLO_IN_PROCESS_BEAT:
        return "eager, in the web process, which runs the beat schedule itself"
    return "eager, in the process that enqueues them"


def _migrated() -> str:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise RuntimeError(f"{len(pending)} migration(s) not applied")
    return "ok"


def _last_webhook_age() -> int | None:
    """Seconds since the newest webhook of any team (None: none yet, or no tables yet)."""
    try:
        last = webhook_last_received_at()
    except DatabaseError as exc:
        logger.warning("health: no last webhook time: %s", exc)
        return None
    return round((timezone.now() - last).total_seconds()) if last else None


def _run(checks: dict[str, Callable[[], str]]) -> tuple[bool, dict[str, str]]:
    results, healthy = {}, True
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # any failure is the answer, not a 500
            healthy = False
            results[name] = f"failed: {type(exc).__name__}: {exc}"[:200]
            logger.warning("health check %s failed: %s", name, exc)
    return healthy, results


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    healthy, results = _run({"database": _database, "cache": _cache, "broker": _broker})
    body: dict[str, object] = {"status": "ok" if healthy else "failing", "checks": results}
    body["tasks"] = _tasks()
    body["last_webhook_age_seconds"] = _last_webhook_age() if results["database"] == "ok" else None
    body["took_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    healthy, results = _run({"database": _database, "migrations": _migrated, "cache": _cache})
    return JsonResponse(
        {"status": "ready" if healthy else "not ready", "checks": results},
        status=200 if healthy else 503,
    )
