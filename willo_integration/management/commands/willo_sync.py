"""Sync a team's cache with Willo here and now, with a progress bar.

    python manage.py willo_sync --team acme-hiring          # incremental (full the first time)
    python manage.py willo_sync --team acme-hiring --full
    python manage.py willo_sync --team acme-agency --child CHILD_KEY   # an agency's client

An interrupted sync of the team (a killed worker, Willo down) is resumed where it stopped.
One that stops because Willo is down is left waiting: Celery beat tries it again when it
is due (the command says when), or run the command again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from dashboard.models import Team
from willo_integration.models import SyncRun
from willo_integration.services.scope import NotAChild, child_scope
from willo_integration.services.sync import SyncBusy, sync_run, sync_start


class Command(BaseCommand):
    help = "Sync a team's local cache with Willo (incremental; --full for everything)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True, metavar="SLUG", help="The team's slug.")
        parser.add_argument(
            "--full", action="store_true", help="Every interview and participant, with details."
        )
        parser.add_argument(
            "--child",
            default="",
            metavar="KEY",
            help="An agency team's child organisation (its Willo key), acted in as its "
            "default user relation; without it, the team's own organisation.",
        )

    def handle(self, *args, team: str, full: bool, child: str, **options) -> None:
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise CommandError(f"No team with the slug {team!r}.")
        try:
            scope = child_scope(found, child)
        except NotAChild as exc:
            raise CommandError(str(exc)) from exc
        kind = SyncRun.Kind.FULL if full else SyncRun.Kind.INCREMENTAL
        try:
            run = sync_start(scope=scope, kind=kind)
        except SyncBusy as exc:
            raise CommandError(f"{exc} Try again when it has finished.") from exc
        verb = "Resuming" if run.resumed else "Starting"
        where = f"{found.name}, child {child}" if child else found.name
        self.stdout.write(f"{verb} a {run.get_kind_display().lower()} of {where}.")
        with tqdm(total=0, unit="step", file=self.stderr, dynamic_ncols=True) as bar:

            def progress(current: SyncRun) -> None:
                bar.total = current.pages_total + current.details_total
                bar.n = current.pages_done + current.details_done
                bar.set_description(current.phase)
                bar.refresh()

            run = sync_run(run_id=run.pk, progress=progress)
        if run.state != SyncRun.State.SUCCEEDED:
            raise CommandError(stopped(run))
        self.stdout.write(
            f"Done: {run.interviews_seen} interviews, {run.participants_seen} participants "
            f"listed, {run.details_done} details fetched, {run.participants_removed} removed."
        )


def stopped(run: SyncRun) -> str:
    """Why the run did not finish here, and what becomes of it."""
    if run.state == SyncRun.State.WAITING:
        due = timezone.localtime(run.next_attempt_at).strftime("%H:%M:%S")
        return (
            f"The sync is waiting for Willo: {run.error} Celery beat resumes it at {due}, "
            "or run the command again."
        )
    if run.state == SyncRun.State.CANCELLED:
        return f"The sync was cancelled by {run.cancelled_by or 'a team admin'}."
    if run.state == SyncRun.State.RUNNING:
        return "Another worker took the sync over (this one seemed stalled); it carries on there."
    return f"The sync failed: {run.error}"
