"""Decisions waiting to reach Willo, for the operator.

    python manage.py willo_decisions retry                     # every team
    python manage.py willo_decisions retry --team acme-hiring

``retry`` sends, here and now, every decision that is waiting: failed ones again (the
candidate is read first, in case the failed attempt reached Willo after all) and pending
ones whose undo window has passed, without waiting for their backoff. Decisions still in
their undo window are left alone.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.models import Decision, Team
from willo_integration.services.decisions import decisions_send_waiting

LABELS = {
    Decision.State.SENT: "sent",
    Decision.State.PENDING: "still pending (Willo did not confirm; the sweep tries again)",
    Decision.State.FAILED: "failed (see the candidate's page for why)",
    "sending": "being sent by a worker already",
}


class Command(BaseCommand):
    help = "Send the decisions that are waiting to reach Willo (retry)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        retry = actions.add_parser("retry", help="Send failed and pending decisions now.")
        retry.add_argument("--team", metavar="SLUG", help="Only this team's decisions.")

    def handle(self, *args, action: str, team: str | None = None, **options) -> None:
        found = None
        if team:
            found = Team.objects.filter(slug=team).first()
            if found is None:
                raise CommandError(f"No team with the slug {team!r}.")
        states = decisions_send_waiting(team=found)
        where = found.name if found else "every team"
        if not states:
            self.stdout.write(f"No decision is waiting to reach Willo ({where}).")
            return
        self.stdout.write(f"Sent what was waiting ({where}):")
        for state, label in LABELS.items():
            if states.get(state):
                self.stdout.write(f"  {states[state]} {label}")
        if states.get(Decision.State.FAILED):
            raise CommandError(f"{states[Decision.State.FAILED]} decision(s) failed.")
