"""Erase one candidate's cached data everywhere (GDPR erasure).

    python manage.py erase_candidate --email ada@example.com
    python manage.py erase_candidate --key PARTICIPANT_KEY [--key ...] [--team SLUG]

Removes the candidate's cached rows in every team and scope (or one team), the stored
webhook deliveries about them, Willo's comments and scores on them, their status history,
the team's reviews of them and notes on them (with their mentions), and blanks their name
on decision records. This site's copy only: erase the candidate in Willo too, or a later
sync brings them back.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.models import Team
from willo_integration.services.data_protection import candidate_erase


class Command(BaseCommand):
    help = "Erase one candidate's cached data everywhere (by email and/or participant key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", default="", help="The candidate's email (any case).")
        parser.add_argument(
            "--key", action="append", default=[], help="A participant key (repeatable)."
        )
        parser.add_argument("--team", default="", metavar="SLUG", help="Only in this team.")

    def handle(self, *args, email: str, key: list[str], team: str, **options) -> None:
        if not email and not key:
            raise CommandError("Name the candidate: --email and/or --key.")
        found = None
        if team:
            found = Team.objects.filter(slug=team).first()
            if found is None:
                raise CommandError(f"No team with the slug {team!r}.")
        erased = candidate_erase(email=email, keys=key, team=found)
        self.stdout.write(f"{erased.summary()} Erase the candidate in Willo too.")
