"""Serve `make demo`: the web process (runserver, which serves the sandbox too) and, beside
it, a real Celery worker with its beat, so undo windows, sweeps and resumes run as they do
in production. All in the foreground, each line prefixed with its process (honcho);
Ctrl-C stops them all, and so does any one of them stopping.

The broker is CELERY_BROKER_URL when set, else the filesystem one in WILLO_DEMO_DIR
(settings.py). With WILLO_ALLOW_EAGER_TASKS=true there is no worker: the web process runs
the tasks and the beat schedule itself.
"""

from __future__ import annotations

import os
import shlex
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from honcho.manager import Manager

from dashboard.management.commands.demo_setup import DEMO_PASSWORD, DEMO_USERNAME

# What honcho answers when Ctrl-C (SIGINT) or SIGTERM stopped it: a stop, not a failure.
STOPPED_BY_SIGNAL = (130, 143)
# The worker's threads: a long sync does not hold up webhook applies and sweeps.
WORKER_THREADS = 4


class Command(BaseCommand):
    help = "Run the demo's web process beside a Celery worker and beat (development only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--noreload", action="store_true", help="do not restart the web process on edits"
        )

    def handle(self, *args, addrport: str, noreload: bool, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_serve is for development: set DJANGO_DEBUG=true.")
        host, _, port = addrport.rpartition(":")
        site = f"http://{host or '127.0.0.1'}:{port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "PYTHONUNBUFFERED": "1",  # lines reach the terminal as they are written
        }
        env.setdefault("WILLO_SANDBOX_BASE_URL", f"{site}/api/integrations/v2")
        env.setdefault("DASHBOARD_PUBLIC_URL", site)  # the links in emails

        manager = Manager()
        web = [sys.executable, str(settings.BASE_DIR / "manage.py"), "runserver", addrport]
        if noreload:
            web.append("--noreload")
        manager.add_process("web", shlex.join(web), env=env)
        if settings.CELERY_TASK_ALWAYS_EAGER:
            tasks = "Tasks run eagerly in the web process, which runs the beat schedule itself."
        else:
            manager.add_process("worker", shlex.join(self._worker()), env=env)
            tasks = (
                f"A Celery worker and its beat run beside the web process (broker: "
                f"{self._broker()}), so scheduled work runs as in production."
            )
        self.stdout.write(
            self.style.SUCCESS(f"\nThe demo: {site}/\n  {self._login()}\n  {tasks}\n")
            + "  Ctrl-C stops them all.\n"
        )
        connections.close_all()  # the processes below open their own
        manager.loop()
        if manager.returncode and manager.returncode not in STOPPED_BY_SIGNAL:
            raise CommandError(
                "one of the demo's processes stopped, and the others with it",
                returncode=manager.returncode,
            )

    def _worker(self) -> list[str]:
        settings.WILLO_DEMO_DIR.mkdir(parents=True, exist_ok=True)
        schedule = settings.WILLO_DEMO_DIR / "celerybeat-schedule"
        # No gossip, mingle or heartbeat: there is one worker, and nothing to tell it.
        return [sys.executable, "-m", "celery", "-A", "dashboard", "worker", "--beat",
                "--schedule", str(schedule), "--pool", "threads",
                "--concurrency", str(WORKER_THREADS), "--loglevel", "INFO",
                "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip

    def _broker(self) -> str:
        scheme = settings.CELERY_BROKER_URL.partition("://")[0]
        if scheme != "filesystem":
            return scheme  # never the URL: it may hold a password
        return f"files in {settings.WILLO_DEMO_DIR / 'broker'}"

    def _login(self) -> str:
        user = get_user_model().objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            return "No demo login yet: run `manage.py demo_setup` first."
        if user.check_password(DEMO_PASSWORD):
            return f"log in as:  {DEMO_USERNAME} / {DEMO_PASSWORD}"
        return f"log in as:  {DEMO_USERNAME} / the password given to demo_setup"
