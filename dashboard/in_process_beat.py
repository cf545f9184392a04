"""The beat schedule, run by the web process itself when tasks run eagerly (no broker,
``WILLO_ALLOW_EAGER_TASKS=true``): Celery's own beat in a thread, whose due tasks run
eagerly there, one after the other, so a run never overlaps the one before it. A task that
fails is logged by Celery and the schedule goes on.

Only ``dashboard/wsgi.py`` and ``asgi.py`` install it, and it starts on the first request
a process serves, once per process id: each of gunicorn's forked workers starts its own,
and management commands and tests, which serve no request through those modules, never do.
"""

from __future__ import annotations

import logging
import os
import threading

from celery import beat
from django.conf import settings
from django.core.signals import request_started
from django.db import close_old_connections

logger = logging.getLogger("dashboard.in_process_beat")

_lock = threading.Lock()
_started: dict[int, beat.Service] = {}  # process id: its beat


class InProcessScheduler(beat.Scheduler):
    """Beat's in-memory schedule (nothing on disk for several processes to share); each
    run on fresh database connections, as a worker's task would be."""

    def apply_entry(self, entry, producer=None):
        if entry.task not in self.app.tasks:  # beat would send it to a broker no one reads
            logger.error("beat entry %s names no known task: %s", entry.name, entry.task)
            return
        close_old_connections()
        try:
            super().apply_entry(entry, producer=producer)
        finally:
            close_old_connections()


def start() -> beat.Service:
    """This process's beat, started if it is not running yet."""
    from dashboard.celery import app

    with _lock:
        service = _started.get(os.getpid())
        if service is None:
            app.autodiscover_tasks(force=True)  # every app's tasks, as a worker loads them
            thread = beat.EmbeddedService(app, thread=True, scheduler_cls=InProcessScheduler)
            thread.name = "in-process-beat"
            thread.start()
            service = _started[os.getpid()] = thread.service
            logger.info(
                "tasks run eagerly; this process runs the beat schedule: %s",
                ", ".join(settings.CELERY_BEAT_SCHEDULE) or "empty",
            )
        return service


def _on_request_started(sender, **kwargs) -> None:
    if os.getpid() not in _started:
        start()


def install() -> None:
    """Start this web process's beat on its first request, if tasks run eagerly."""
    if settings.WILLO_IN_PROCESS_BEAT:
        request_started.connect(_on_request_started, dispatch_uid="in-process-beat")


def stop() -> None:
    """Stop this process's beat; its thread ends within a second."""
    with _lock:
        service = _started.pop(os.getpid(), None)
    if service is not None:
        service.stop(wait=True)
